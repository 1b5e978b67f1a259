using System.Collections.Concurrent;
using Capture.Abstractions;
using Capture.Pcap.Sources;

namespace Capture.Pcap.Bypass;

/// <summary>
/// Bypass in the pcap reader, the software twin of the kernel's XDP filter: a concurrent table of
/// bypassed half flows (one entry per direction) that the reader consults before it puts a packet
/// in a batch; a hit drops the packet and counts it for its direction. The whole callback cycle
/// (TryBypass, SeenSince postponing a timeout, Release) runs without privileges.
/// </summary>
/// <remarks>
/// <para>The reader thread calls <see cref="TryDrop"/>, workers <see cref="TryBypass"/>, the flow
/// manager <see cref="SeenSince"/> and <see cref="Release"/>: all of it is thread-safe.</para>
/// <para>With the reader's batch pool, every call acts at a defined packet whatever the thread
/// timing: a call made while the engine holds batch <c>B</c> (a worker holds its batch until its
/// flow manager ran) takes effect from batch <c>B + pool capacity</c>, the first batch the reader
/// cannot have started while <c>B</c> is held. <see cref="TryBypass"/> makes the entries apply from
/// there; <see cref="SeenSince"/> and <see cref="Release"/> first wait until the reader published
/// the batch before it, so the counters they read hold exactly the drops before that batch.</para>
/// </remarks>
internal sealed class SoftwareBypassStrategy : IBypassStrategy
{
    private readonly ConcurrentDictionary<HalfFlowKey, SoftwareHalfFlowCounters> _table = new();
    private readonly int _capacityPerFamily;
    private readonly PcapBatchPool? _pool;
    private readonly TunnelPorts _tunnels;
    private readonly Family _ipv4 = new();
    private readonly Family _ipv6 = new();
    private long _liveEntries;
    private long _droppedPackets;
    private long _droppedBytes;

    /// <summary>Creates an empty table.</summary>
    /// <param name="capacityPerFamily">Half-flow entries per address family (a flow takes two).</param>
    /// <param name="pool">
    /// The reader's batch pool, whose sequence defines where a call takes effect; without it an
    /// entry applies to whatever the reader reads next.
    /// </param>
    /// <param name="tunnels">The ports VXLAN and Geneve are followed on; default <see cref="TunnelPorts.Default"/>.</param>
    public SoftwareBypassStrategy(int capacityPerFamily, PcapBatchPool? pool = null, TunnelPorts? tunnels = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityPerFamily, 2);
        _capacityPerFamily = capacityPerFamily;
        _pool = pool;
        _tunnels = tunnels ?? TunnelPorts.Default;
    }

    /// <inheritdoc />
    public string Name => "software";

    /// <summary>Whether any entry is in the table: the reader skips parsing entirely when not.</summary>
    public bool HasEntries => Volatile.Read(ref _liveEntries) > 0;

    /// <summary>Called by the reader before it delivers a packet: drops and counts it when its half flow is bypassed.</summary>
    /// <param name="linkType">The packet's link type.</param>
    /// <param name="frame">The captured bytes.</param>
    /// <param name="vlanTci">A tag the capture removed.</param>
    /// <param name="flags">The packet's flags.</param>
    /// <param name="wireLength">Bytes on the wire (what the drop counts).</param>
    /// <param name="timestampNanoseconds">Capture time.</param>
    /// <param name="batch">The sequence of the batch the packet would go into.</param>
    /// <returns>True when the packet must not be delivered.</returns>
    public bool TryDrop(LinkType linkType, ReadOnlySpan<byte> frame, ushort vlanTci, PacketFlags flags, int wireLength, long timestampNanoseconds, long batch)
    {
        if (!OuterHeaderParser.TryParse(linkType, frame, vlanTci, flags, _tunnels.Vxlan, _tunnels.Geneve, out HalfFlowKey key)
            || !_table.TryGetValue(key, out SoftwareHalfFlowCounters? counters)
            || !counters.TryCount(wireLength, timestampNanoseconds, batch))
        {
            return false;
        }

        Interlocked.Increment(ref _droppedPackets);
        Interlocked.Add(ref _droppedBytes, wireLength);
        return true;
    }

    /// <inheritdoc />
    public BypassOutcome TryBypass(in FlowTuple flow, BypassRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Family family = flow.IsIPv6 ? _ipv6 : _ipv4;
        if (!(flow.TunnelDepth == 0 ? flow.Tunnel.Kind == TunnelKind.None
            : flow.TunnelDepth == 1 && flow.Tunnel.Kind is TunnelKind.Vxlan or TunnelKind.Geneve or TunnelKind.Gre or TunnelKind.Erspan))
        {
            Interlocked.Increment(ref family.Failure);
            return BypassOutcome.Failed(BypassFailure.Unsupported, "only flows on the wire or one VXLAN, Geneve, GRE or ERSPAN tunnel deep (the tunnel named) are matched by the capture");
        }

        if (flow.TunnelDepth == 0 && flow.Protocol == 17 && (OuterHeaderParser.CarriesTunnel(flow.SourcePort, _tunnels.Vxlan, _tunnels.Geneve) || OuterHeaderParser.CarriesTunnel(flow.DestinationPort, _tunnels.Vxlan, _tunnels.Geneve)))
        {
            Interlocked.Increment(ref family.Failure);
            return BypassOutcome.Failed(BypassFailure.Unsupported, "the flow carries VXLAN or Geneve: the capture matches the flows inside it, not the tunnel");
        }

        if (flow.Protocol is not (6 or 17))
        {
            Interlocked.Increment(ref family.Failure);
            return BypassOutcome.Failed(BypassFailure.Unsupported, $"only TCP and UDP flows are bypassed by the capture, not IP protocol {flow.Protocol}");
        }

        if (record.StrategyState is SoftwareBypassState current && !current.IsReleased && ReferenceEquals(record.Strategy, this))
        {
            return BypassOutcome.Success;
        }

        // Reserve room for both directions first, so a full table leaves nothing behind.
        if (Interlocked.Add(ref family.Entries, 2) > _capacityPerFamily)
        {
            Interlocked.Add(ref family.Entries, -2);
            Interlocked.Increment(ref family.Failure);
            return BypassOutcome.Failed(BypassFailure.TableFull, $"the software bypass table holds {_capacityPerFamily} half-flow entries per address family (pcap-file.bypass-table-size)");
        }

        HalfFlowKey toServerKey = HalfFlowKey.ToServer(flow);
        HalfFlowKey toClientKey = HalfFlowKey.ToClient(flow);
        long activeFrom = EffectiveBatch();
        SoftwareHalfFlowCounters toServer = AddOrShare(toServerKey, activeFrom, out bool ownsToServer);
        bool ownsToClient = false;
        SoftwareHalfFlowCounters toClient = toServer;
        if (!toClientKey.Equals(toServerKey))
        {
            toClient = AddOrShare(toClientKey, activeFrom, out ownsToClient);
        }

        // Give back the reservation of entries that were already there (shared with an earlier bypass).
        int unused = (ownsToServer ? 0 : 1) + (ownsToClient ? 0 : 1);
        if (unused > 0)
        {
            Interlocked.Add(ref family.Entries, -unused);
        }

        record.StrategyState = new SoftwareBypassState(toServerKey, toServer, ownsToServer, toClientKey, toClient, ownsToClient)
        {
            RecordPacketsToServer = record.PacketsToServer,
            RecordBytesToServer = record.BytesToServer,
            RecordPacketsToClient = record.PacketsToClient,
            RecordBytesToClient = record.BytesToClient,
        };
        record.Strategy = this;
        record.Released = false;
        Interlocked.Increment(ref family.Success);
        Interlocked.Increment(ref family.Flows);
        return BypassOutcome.Success;
    }

    /// <inheritdoc />
    public bool SeenSince(in FlowTuple flow, BypassRecord record, long sinceNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.StrategyState is not SoftwareBypassState state || state.IsReleased)
        {
            return false;
        }

        WaitForReader();
        state.ToServer.Read(out long packetsToServer, out long bytesToServer, out long lastToServer);
        state.ToClient.Read(out long packetsToClient, out long bytesToClient, out long lastToClient);
        lock (state)
        {
            Fold(record, state, packetsToServer, bytesToServer, packetsToClient, bytesToClient);
        }

        // By capture time, not by "the counters moved since the last call": the reader drops packets
        // before the engine's clock reaches them, so packets after the engine's last-seen time may
        // all have been counted before the previous call. Answering "not moved" then ended a live
        // flow, and its later packets, no longer dropped, made a second flow.
        return Math.Max(lastToServer, lastToClient) > sinceNanoseconds;
    }

    /// <inheritdoc />
    public void Release(in FlowTuple flow, BypassRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.StrategyState is not SoftwareBypassState state || !ReferenceEquals(record.Strategy, this))
        {
            record.Released = true;
            return;
        }

        if (!state.TryMarkReleased())
        {
            return;
        }

        // The entries stop dropping exactly where this call takes effect: the reader cannot start
        // that batch while the caller holds its own, and every drop before it is counted now.
        WaitForReader();

        Family family = state.ToServerKey.IsIPv6 ? _ipv6 : _ipv4;
        long packetsToServer;
        long bytesToServer;
        long packetsToClient;
        long bytesToClient;
        if (state.OwnsToServer)
        {
            Remove(family, state.ToServerKey, state.ToServer);
            state.ToServer.Close(out packetsToServer, out bytesToServer);
        }
        else
        {
            state.ToServer.Read(out packetsToServer, out bytesToServer, out _);
        }

        if (state.OwnsToClient)
        {
            Remove(family, state.ToClientKey, state.ToClient);
            state.ToClient.Close(out packetsToClient, out bytesToClient);
        }
        else
        {
            state.ToClient.Read(out packetsToClient, out bytesToClient, out _);
        }

        lock (state)
        {
            Fold(record, state, packetsToServer, bytesToServer, packetsToClient, bytesToClient);
        }

        record.Released = true;
        Interlocked.Decrement(ref family.Flows);
    }

    /// <inheritdoc />
    public BypassStatistics GetStatistics() => new(
        _ipv4.Snapshot(),
        _ipv6.Snapshot(),
        Interlocked.Read(ref _droppedPackets),
        Interlocked.Read(ref _droppedBytes));

    private static void Fold(BypassRecord record, SoftwareBypassState state, long packetsToServer, long bytesToServer, long packetsToClient, long bytesToClient) =>
        record.FoldTotals(
            state.RecordPacketsToServer + packetsToServer - state.BasePacketsToServer,
            state.RecordBytesToServer + bytesToServer - state.BaseBytesToServer,
            state.RecordPacketsToClient + packetsToClient - state.BasePacketsToClient,
            state.RecordBytesToClient + bytesToClient - state.BaseBytesToClient);

    /// <summary>
    /// The first reader batch a call made on this thread now takes effect in; 0 (at once) without a
    /// pool, for a pipe, or when this thread holds no batch (a caller other than a worker).
    /// </summary>
    private long EffectiveBatch()
    {
        if (_pool is null || !_pool.ActsAtDefinedBatch)
        {
            return 0;
        }

        long held = PcapBatch.EngineBatchOnThisThread;
        return held > 0 && _pool.IsOutstanding(held) ? held + _pool.Capacity : 0;
    }

    /// <summary>Waits until the reader decided every packet before the batch this thread's call takes effect in.</summary>
    private void WaitForReader()
    {
        long effective = EffectiveBatch();
        if (effective > 0)
        {
            _pool!.WaitForPublished(effective - 1);
        }
    }

    private SoftwareHalfFlowCounters AddOrShare(HalfFlowKey key, long activeFrom, out bool added)
    {
        var fresh = new SoftwareHalfFlowCounters(activeFrom);
        while (true)
        {
            if (_table.TryAdd(key, fresh))
            {
                Interlocked.Increment(ref _liveEntries);
                added = true;
                return fresh;
            }

            if (_table.TryGetValue(key, out SoftwareHalfFlowCounters? existing))
            {
                added = false;
                return existing;
            }
        }
    }

    private void Remove(Family family, HalfFlowKey key, SoftwareHalfFlowCounters counters)
    {
        if (_table.TryRemove(new KeyValuePair<HalfFlowKey, SoftwareHalfFlowCounters>(key, counters)))
        {
            Interlocked.Decrement(ref _liveEntries);
            Interlocked.Decrement(ref family.Entries);
        }
    }

    /// <summary>Counters of one address family.</summary>
    private sealed class Family
    {
        // Fields, not properties: Interlocked needs them by reference.
        public long Success;
        public long Failure;
        public long Entries;
        public long Flows;

        public BypassFamilyStatistics Snapshot() =>
            new(Interlocked.Read(ref Success), Interlocked.Read(ref Failure), Interlocked.Read(ref Flows));
    }
}
