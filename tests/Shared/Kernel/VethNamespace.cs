// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: a network namespace with a veth pair into it.
//
// Usage: give each test class its own prefix (xunit runs classes in parallel), e.g.
//   public sealed class MyNet : VethNamespace { public MyNet() : base("afpring") { } }
//   public sealed class MyTests(MyNet net) : IClassFixture<MyNet> { ... net.HostInterface ... }
// Names derive from the prefix only, so leftovers of a crashed run with the same prefix are
// removed when the fixture starts. Dispose (and, as a last resort, the finalizer and process
// exit) removes the namespace and the veth pair, also when a test failed.
using System.Globalization;
using System.Net;

namespace Capture.Tests.Kernel;

/// <summary>
/// A unique network namespace <c>capt-PREFIX</c> and a veth pair: <c>PREFIXh</c> stays in the
/// default namespace (where the code under test attaches), <c>PREFIXp</c> lives in the namespace
/// (where <see cref="NetnsFrameSender"/> sends from). Both ends are up with IPv4 and IPv6
/// addresses and fixed MAC addresses.
/// </summary>
public class VethNamespace : IDisposable
{
    private int _removed;

    /// <summary>Creates the namespace and the pair (removing leftovers of the same names first).</summary>
    /// <param name="prefix">1-10 characters [a-z0-9], unique per test class.</param>
    /// <param name="mtu">MTU of both ends (native XDP on veth refuses jumbo MTUs).</param>
    public VethNamespace(string prefix, int mtu = 1500)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (prefix.Length > 10 || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
        {
            throw new ArgumentException("prefix: 1-10 characters a-z0-9", nameof(prefix));
        }

        KernelPrerequisites.Require(needBpffs: false);
        Prefix = prefix;
        NamespaceName = "capt-" + prefix;
        HostInterface = prefix + "h";
        PeerInterface = prefix + "p";
        uint hash = Fnv(prefix);
        byte a = (byte)(hash & 0xff);
        byte b = (byte)((hash >> 8) & 0xff);
        HostMac = [0x02, 0xca, a, b, 0x00, 0x01];
        PeerMac = [0x02, 0xca, a, b, 0x00, 0x02];
        int third = (int)(hash % 250) + 1;
        int second = 100 + (int)((hash >> 16) % 100);
        HostIPv4 = IPAddress.Parse($"10.{second}.{third}.1");
        PeerIPv4 = IPAddress.Parse($"10.{second}.{third}.2");
        string v6 = (hash & 0xffff).ToString("x", CultureInfo.InvariantCulture);
        HostIPv6 = IPAddress.Parse($"fd00:ca:{v6}::1");
        PeerIPv6 = IPAddress.Parse($"fd00:ca:{v6}::2");

        RemoveLeftovers();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        try
        {
            IpCommand.Run("netns", "add", NamespaceName);
            IpCommand.Run("link", "add", HostInterface, "address", Mac(HostMac), "mtu", mtu.ToString(CultureInfo.InvariantCulture),
                "type", "veth", "peer", "name", PeerInterface, "address", Mac(PeerMac), "mtu", mtu.ToString(CultureInfo.InvariantCulture), "netns", NamespaceName);
            IpCommand.Run("addr", "add", HostIPv4 + "/24", "dev", HostInterface);
            IpCommand.Run("addr", "add", HostIPv6 + "/64", "dev", HostInterface, "nodad");
            IpCommand.Run("link", "set", HostInterface, "up");
            IpCommand.Run("-n", NamespaceName, "addr", "add", PeerIPv4 + "/24", "dev", PeerInterface);
            IpCommand.Run("-n", NamespaceName, "addr", "add", PeerIPv6 + "/64", "dev", PeerInterface, "nodad");
            IpCommand.Run("-n", NamespaceName, "link", "set", PeerInterface, "up");
            IpCommand.Run("-n", NamespaceName, "link", "set", "lo", "up");
            HostIndex = (int)KernelNative.IfNameToIndex(HostInterface);
        }
        catch
        {
            Remove();
            throw;
        }
    }

    /// <summary>Removes leftovers if Dispose never ran.</summary>
    // A namespace left behind outlives the test process; a finalizer is the last chance to remove it.
#pragma warning disable MA0055
    ~VethNamespace()
    {
        Dispose(false);
    }
#pragma warning restore MA0055

    /// <summary>The prefix given.</summary>
    public string Prefix { get; }

    /// <summary>The namespace (<c>capt-PREFIX</c>).</summary>
    public string NamespaceName { get; }

    /// <summary>The veth end in the default namespace (<c>PREFIXh</c>).</summary>
    public string HostInterface { get; }

    /// <summary>The veth end inside the namespace (<c>PREFIXp</c>).</summary>
    public string PeerInterface { get; }

    /// <summary>The ifindex of <see cref="HostInterface"/>.</summary>
    public int HostIndex { get; }

    /// <summary>MAC of the host end.</summary>
    public byte[] HostMac { get; }

    /// <summary>MAC of the namespace end.</summary>
    public byte[] PeerMac { get; }

    /// <summary>IPv4 address of the host end (/24).</summary>
    public IPAddress HostIPv4 { get; }

    /// <summary>IPv4 address of the namespace end.</summary>
    public IPAddress PeerIPv4 { get; }

    /// <summary>IPv6 address of the host end (/64).</summary>
    public IPAddress HostIPv6 { get; }

    /// <summary>IPv6 address of the namespace end.</summary>
    public IPAddress PeerIPv6 { get; }

    /// <summary>A sender of raw frames from inside the namespace on <see cref="PeerInterface"/>.</summary>
    /// <returns>The sender.</returns>
    public NetnsFrameSender CreateSender() => new(NamespaceName, PeerInterface);

    /// <summary>Reads a counter of /sys/class/net/&lt;host end&gt;/statistics (rx_packets, rx_dropped, ...).</summary>
    /// <param name="name">The counter file name.</param>
    /// <returns>The value.</returns>
    public long HostStatistic(string name) =>
        long.Parse(File.ReadAllText($"/sys/class/net/{HostInterface}/statistics/{name}").Trim(), CultureInfo.InvariantCulture);

    /// <summary>
    /// Makes the pair again after a test deleted it (the interface-vanishing tests): same names and
    /// MAC addresses, both ends up, no IP addresses (the tests send raw frames).
    /// </summary>
    public void RecreatePair()
    {
        IpCommand.Run("link", "add", HostInterface, "address", Mac(HostMac), "type", "veth",
            "peer", "name", PeerInterface, "address", Mac(PeerMac), "netns", NamespaceName);
        IpCommand.Run("link", "set", HostInterface, "up");
        IpCommand.Run("-n", NamespaceName, "link", "set", PeerInterface, "up");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes the namespace and the pair; derived fixtures remove their own extras first.</summary>
    /// <param name="disposing">False from the finalizer.</param>
    protected virtual void Dispose(bool disposing) => Remove();

    private static string Mac(byte[] mac) => string.Join(':', mac.Select(x => x.ToString("x2", CultureInfo.InvariantCulture)));

    private static uint Fnv(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Remove();

    private void RemoveLeftovers()
    {
        IpCommand.TryRun("link", "del", HostInterface);
        IpCommand.TryRun("netns", "del", NamespaceName);
    }

    private void Remove()
    {
        if (Interlocked.Exchange(ref _removed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        try
        {
            // Deleting one end deletes the pair (and any XDP program or link on it); then the namespace.
            IpCommand.TryRun("link", "del", HostInterface);
            IpCommand.TryRun("netns", "del", NamespaceName);
        }
#pragma warning disable CA1031 // cleanup from a finalizer or process exit must never throw
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
