using Detect.Sample.Output;

namespace Detect.Sample.Detection.Firewall;

/// <summary>
/// Inline-mode verdict counters (Suricata's <c>ips.*</c>, and <c>firewall.*</c> in firewall mode): one
/// array per worker, written by that worker alone (no atomics per packet), summed when read.
/// As in Suricata, a packet the firewall accepted is counted under <c>firewall.accepted</c> and then
/// under <c>ips.*</c> by what threat detection did; one the firewall dropped only under <c>firewall.*</c>.
/// Every packet the capture delivers is counted once, those detection does not see (bypassed flows,
/// no flow) included, as Suricata counts every packet it releases.
/// </summary>
internal sealed class InlineCounters
{
    private const int IpsAccepted = 0, IpsBlocked = 1, IpsRejected = 2, IpsReplaced = 3, FwAccepted = 4, FwBlocked = 5, FwRejected = 6, IpsReasons = 7;
    private static readonly int FwReasons = IpsReasons + Enum.GetValues<DropReason>().Length;
    private static readonly int Size = FwReasons + Enum.GetValues<DropReason>().Length;

    private readonly Lock _lock = new();
    private readonly List<long[]> _workers = [];
    private readonly bool _firewall;

    public InlineCounters(bool firewall) => _firewall = firewall;

    /// <summary>A worker's own counters (called once per worker, at its start).</summary>
    public long[] CreateWorker()
    {
        long[] counters = new long[Size];
        lock (_lock)
        {
            _workers.Add(counters);
        }

        return counters;
    }

    /// <summary>Counts one packet's verdict into a worker's counters.</summary>
    public void Count(long[] worker, in PacketVerdict verdict) => Add(worker, verdict, 1);

    /// <summary>
    /// Takes back one packet's counted verdict, for a frame whose verdict changed after it was counted
    /// (a datagram's completing fragment that a rule of its own dropped).
    /// </summary>
    public void Uncount(long[] worker, in PacketVerdict verdict) => Add(worker, verdict, -1);

    private void Add(long[] worker, in PacketVerdict verdict, int delta)
    {
        if (verdict.ByFirewall)
        {
            worker[verdict.Rejected ? FwRejected : FwBlocked] += delta;
            worker[FwReasons + (int)verdict.Reason] += delta;
            return;
        }

        if (_firewall)
        {
            worker[FwAccepted] += delta;
        }

        if (!verdict.Dropped)
        {
            worker[IpsAccepted] += delta;
            return;
        }

        worker[verdict.Rejected ? IpsRejected : IpsBlocked] += delta;
        worker[IpsReasons + (int)verdict.Reason] += delta;
    }

    /// <summary>The counters by their EVE stats names; zeros too, as Suricata registers them all.</summary>
    public IEnumerable<StatsCounter> Enumerate()
    {
        long[] sum = new long[Size];
        lock (_lock)
        {
            foreach (long[] worker in _workers)
            {
                for (int i = 0; i < Size; i++)
                {
                    sum[i] += Volatile.Read(ref worker[i]);
                }
            }
        }

        yield return new("ips.accepted", sum[IpsAccepted]);
        yield return new("ips.blocked", sum[IpsBlocked]);
        yield return new("ips.rejected", sum[IpsRejected]);
        yield return new("ips.replaced", sum[IpsReplaced]);
        foreach (DropReason reason in DropReasons.Ips)
        {
            yield return new($"ips.drop_reason.{DropReasons.CounterName(reason)}", sum[IpsReasons + (int)reason]);
        }

        if (!_firewall)
        {
            yield break;
        }

        yield return new("firewall.accepted", sum[FwAccepted]);
        yield return new("firewall.blocked", sum[FwBlocked]);
        yield return new("firewall.rejected", sum[FwRejected]);
        foreach (DropReason reason in DropReasons.Firewall)
        {
            yield return new($"firewall.drop_reason.{DropReasons.CounterName(reason)}", sum[FwReasons + (int)reason]);
        }
    }
}
