using Capture.Abstractions;

namespace Capture.Linux.Xdp.Filter;

/// <summary>
/// Which filter of this process owns each program array pin (<c>xdp-chain.pin</c>). A root's
/// array is its own chain: its <c>next</c> programs go in its slots, its stop empties them and may
/// unpin it. Two filters on one pin would share it, and the first to stop would take the other's
/// chain from under it, so a second claim is refused, naming both interfaces and the path.
/// </summary>
internal static class ChainPinOwners
{
    private static readonly Dictionary<string, string> s_owners = new(StringComparer.Ordinal);

    /// <summary>One spelling of a pin path (<c>//</c> collapsed), so two spellings of one pin are one claim.</summary>
    /// <param name="pin">An absolute path.</param>
    /// <returns>The path as the file system resolves its name.</returns>
    internal static string Canonical(string pin) => Path.GetFullPath(pin);

    /// <summary>Claims <paramref name="pin"/> for the filter of <paramref name="interfaceName"/>.</summary>
    /// <exception cref="ConfigurationException">Another filter of this process owns the pin.</exception>
    internal static void Claim(string pin, string interfaceName)
    {
        string path = Canonical(pin);
        lock (s_owners)
        {
            if (s_owners.TryGetValue(path, out string? owner))
            {
                throw new ConfigurationException(
                    $"{interfaceName}: xdp-chain.pin {pin} is the program array of the filter on {owner} already (in this process): " +
                    $"{owner} and {interfaceName} would share one chain, and the first to stop would empty the other's slots. " +
                    $"Give each interface a pin of its own (e.g. /sys/fs/bpf/chain/{interfaceName}); a program can be listed in several arrays");
            }

            s_owners.Add(path, interfaceName);
        }
    }

    /// <summary>Gives up a claim of <paramref name="interfaceName"/> (nothing when it holds none).</summary>
    internal static void Release(string pin, string interfaceName)
    {
        string path = Canonical(pin);
        lock (s_owners)
        {
            if (s_owners.TryGetValue(path, out string? owner) && string.Equals(owner, interfaceName, StringComparison.Ordinal))
            {
                s_owners.Remove(path);
            }
        }
    }
}
