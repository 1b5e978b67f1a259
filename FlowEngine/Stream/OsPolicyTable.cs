using System.Net.Sockets;
using Capture.Abstractions;
using FlowEngine.Configuration;

namespace FlowEngine.Stream;

/// <summary>
/// <c>host-os-policy</c> as a lookup: the policy of the longest configured prefix holding an address,
/// else BSD (Suricata's default). Asked once per direction of a new session, not per packet.
/// </summary>
internal sealed class OsPolicyTable
{
    private readonly (byte[] Prefix, int Bits, bool IsIPv6, OsPolicy Policy)[] _entries;

    public OsPolicyTable(IEnumerable<HostOsPolicy> policies)
    {
        // Longest prefix first, equal lengths in the configuration's order; a loop, not LINQ over
        // tuples: generic code over a value type is compiled at every start of the JIT host.
        HostOsPolicy[] given = [.. policies];
        _entries = new (byte[] Prefix, int Bits, bool IsIPv6, OsPolicy Policy)[given.Length];
        for (int count = 0; count < given.Length; count++)
        {
            HostOsPolicy p = given[count];
            (byte[] Prefix, int Bits, bool IsIPv6, OsPolicy Policy) entry = (p.Network.BaseAddress.GetAddressBytes(), p.Network.PrefixLength, p.Network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6, p.Policy);
            int at = count;
            while (at > 0 && _entries[at - 1].Bits < entry.Bits)
            {
                _entries[at] = _entries[at - 1];
                at--;
            }

            _entries[at] = entry;
        }
    }

    /// <summary>The policy of the host at <paramref name="address"/>.</summary>
    public OsPolicy Of(in FlowAddress address, bool isIPv6)
    {
        if (_entries.Length == 0)
        {
            return OsPolicy.Bsd;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (isIPv6)
        {
            address.CopyTo(bytes);
        }
        else
        {
            address.CopyIPv4To(bytes);
        }

        foreach ((byte[] prefix, int bits, bool entryIsIPv6, OsPolicy policy) in _entries)
        {
            if (entryIsIPv6 == isIPv6 && Covers(prefix, bits, bytes))
            {
                return policy;
            }
        }

        return OsPolicy.Bsd;
    }

    private static bool Covers(byte[] prefix, int bits, ReadOnlySpan<byte> address)
    {
        int whole = bits / 8;
        if (!address[..whole].SequenceEqual(prefix.AsSpan(0, whole)))
        {
            return false;
        }

        int rest = bits % 8;
        if (rest == 0)
        {
            return true;
        }

        int mask = 0xFF << (8 - rest) & 0xFF;
        return (address[whole] & mask) == (prefix[whole] & mask);
    }
}
