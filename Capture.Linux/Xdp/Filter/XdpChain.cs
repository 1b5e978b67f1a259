using Capture.Abstractions;
using Capture.Linux.Xdp.Interop;
using Microsoft.Extensions.Logging;

namespace Capture.Linux.Xdp.Filter;

/// <summary>
/// The filter's place in a chain of XDP programs (docs/XDP.md, "Chaining"). As a root: its own
/// program array <c>xdp_chain</c>, pinned at <see cref="XdpChainOptions.ArrayPin"/> (reused when
/// pinned already), with the configured next programs in its first slots. As a link: its slot in
/// another root's array. At stop it takes out only what it put in, and unpins only an array it
/// created that nobody else has put a program in.
/// </summary>
internal sealed class XdpChain : IDisposable
{
    /// <summary>The program array in the filter object.</summary>
    internal const string MapName = "xdp_chain";

    private readonly XdpChainOptions _options;
    private readonly string _interface;
    private readonly string _what;
    private readonly ILogger _logger;
    private readonly List<(uint Slot, uint ProgramId)> _placed = [];
    private ProgramArray? _array;
    private bool _pinCreated;
    private string? _directoryCreated;
    private ProgramArray? _joined;
    private uint _joinedProgramId;
    private bool _pinClaimed;
    private int _left;

    private XdpChain(XdpChainOptions options, string interfaceName, ILogger logger)
    {
        _options = options;
        _interface = interfaceName;
        _what = interfaceName + ": xdp-chain";
        _logger = logger;
    }

    /// <summary>
    /// Before load. As a root: finds the object's <see cref="MapName"/> and makes it reuse the array
    /// already pinned at the configured pin (its size and flags come with it).
    /// </summary>
    /// <exception cref="BpfException">The object cannot chain, or the pin is not a program array.</exception>
    internal static XdpChain Prepare(nint bpfObject, XdpChainOptions options, string interfaceName, ILogger logger)
    {
        var chain = new XdpChain(options, interfaceName, logger);
        if (options.ArrayPin is not { } pin)
        {
            return chain;
        }

        // Before anything is opened: a pin another filter of this process roots its chain at is refused.
        ChainPinOwners.Claim(pin, interfaceName);
        chain._pinClaimed = true;
        ProgramArray? pinned;
        nint map;
        try
        {
            map = ChainMap(bpfObject, chain._what);
            pinned = ProgramArray.OpenPinned(pin, chain._what + ".pin");
        }
        catch
        {
            chain.Dispose();
            throw;
        }

        if (pinned is null)
        {
            return chain;
        }

        chain._array = pinned;
        if (RootOnOtherInterface(pinned, interfaceName) is { } other)
        {
            chain.Dispose();
            throw new ConfigurationException(
                $"{interfaceName}: xdp-chain.pin {pin} is the program array of the filter, program {other.Program}, attached to {other.Interface} " +
                $"(another process's, or an earlier run's left attached): {other.Interface} and {interfaceName} would share one chain, and the first to stop would empty the other's slots. " +
                $"Give each interface a pin of its own (e.g. /sys/fs/bpf/chain/{interfaceName}), or stop the filter on {other.Interface} first");
        }

        int rc = Libbpf.MapReuseFd(map, pinned.Fd);
        if (rc != 0)
        {
            chain.Dispose();
            throw BpfErrors.Create($"{chain._what}.pin: reusing the program array pinned at {pin}", rc);
        }

        EbpfLog.ChainArrayReused(logger, interfaceName, pin, pinned.Capacity);
        return chain;
    }

    /// <summary>After load, before the filter runs: pins an array it created and puts the next programs in their slots.</summary>
    /// <exception cref="BpfException">Pinning or a slot was refused.</exception>
    internal void Fill(nint bpfObject)
    {
        if (_options.ArrayPin is not { } pin)
        {
            return;
        }

        if (_array is null)
        {
            int mapFd = Libbpf.MapFd(ChainMap(bpfObject, _what));
            string directory = Path.GetDirectoryName(pin)!;
            for (string? missing = directory; missing is not null && !Directory.Exists(missing); missing = Path.GetDirectoryName(missing))
            {
                _directoryCreated = missing;
            }

            Directory.CreateDirectory(directory);
            int rc = Libbpf.ObjPin(mapFd, pin);
            if (rc != 0)
            {
                RemoveCreatedDirectories();
                throw BpfErrors.Create($"{_what}.pin: pinning the program array at {pin} (is a bpffs mounted there?)", rc);
            }

            _pinCreated = true;
            _array = ProgramArray.Own(mapFd, pin, XdpChainOptions.Slots, _what);
            EbpfLog.ChainArrayPinned(_logger, _interface, pin, XdpChainOptions.Slots);
        }

        for (int slot = 0; slot < _options.Next.Count; slot++)
        {
            Place((uint)slot, _options.Next[slot]);
        }
    }

    /// <summary>Puts the loaded filter in its slot of the root's array, in place of attaching it.</summary>
    /// <param name="programFd">The filter's program.</param>
    /// <param name="replace">Replace a program found in the slot (<c>xdp-replace</c>).</param>
    /// <returns>The filter's program id.</returns>
    /// <exception cref="BpfException">No such array or slot, the slot is taken, or the kernel refused.</exception>
    internal uint Join(int programFd, bool replace)
    {
        string join = _options.JoinArray!;
        uint slot = (uint)_options.JoinIndex;
        _joined = ProgramArray.OpenPinned(join, _what + ".join")
            ?? throw new BpfException($"{_what}.join: nothing is pinned at {join}; the chain's root pins its program array there before the filter can take a slot");
        if (slot >= _joined.Capacity)
        {
            throw new BpfException($"{_what}.join-index: {slot} is not a slot of {join}, which has {_joined.Capacity} (0..{_joined.Capacity - 1})");
        }

        uint current = _joined.ProgramAt(slot);
        if (current != 0)
        {
            LoadedProgram? found = LoadedProgram.FromId(current);
            string occupant = found?.ToString() ?? $"id {current}";

            // The filter itself: a run killed before it could take itself out (the slot keeps the
            // program, and its maps, alive). Replaced, as a stale attached filter is.
            bool ours = string.Equals(found?.Name, XdpBypassFilter.ProgramName, StringComparison.Ordinal);
            if (!replace && !ours)
            {
                throw new BpfException(
                    $"{_what}.join: slot {slot} of {join} holds program {occupant}; refusing to replace it. " +
                    "Empty the slot, choose another join-index, or configure the bypass to replace it (xdp-replace)");
            }

            EbpfLog.ChainSlotReplaced(_logger, _interface, slot, join, occupant, ours ? "a copy of the filter that no run took out (killed?)" : "as configured (xdp-replace)");
        }

        int rc = _joined.Put(slot, programFd);
        if (rc != 0)
        {
            throw BpfErrors.Create(
                $"{_what}.join: putting the filter in slot {slot} of {join}",
                rc,
                -rc == Libc.EINVAL ? "The array belongs to programs of another kind (its root's program type, JIT or XDP-frags setting differ from the filter's)" : null);
        }

        _joinedProgramId = LoadedProgram.FromFd(programFd)?.Id ?? 0;
        EbpfLog.ChainJoined(_logger, _interface, slot, join, _joinedProgramId);
        return _joinedProgramId;
    }

    /// <summary>Takes out what this filter put in; unpins an array it created when no slot is taken. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _left, 1) != 0)
        {
            return;
        }

        if (_joined is not null)
        {
            Leave(_joined, (uint)_options.JoinIndex, _joinedProgramId);
            _joined.Dispose();
        }

        try
        {
            LeaveArray();
        }
        finally
        {
            if (_pinClaimed)
            {
                ChainPinOwners.Release(_options.ArrayPin!, _interface);
            }
        }
    }

    private void LeaveArray()
    {
        if (_array is null)
        {
            return;
        }

        foreach ((uint slot, uint programId) in _placed)
        {
            Leave(_array, slot, programId);
        }

        if (_pinCreated)
        {
            List<uint> taken = _array.OccupiedSlots();
            if (taken.Count == 0)
            {
                File.Delete(_array.Path);
                RemoveCreatedDirectories();
                EbpfLog.ChainArrayUnpinned(_logger, _interface, _array.Path);
            }
            else
            {
                // Unpinning would empty it (a program array loses its entries with its last pin or fd).
                EbpfLog.ChainArrayKept(_logger, _interface, _array.Path, string.Join(", ", taken));
            }
        }

        _array.Dispose();
    }

    /// <summary>
    /// A bypass filter attached to another interface of this network namespace whose chain goes
    /// through <paramref name="array"/>: another process's (this process's own are claimed in
    /// <see cref="ChainPinOwners"/>) or an earlier run's still attached. One on this interface is
    /// a stale copy the start replaces. Null when there is none.
    /// </summary>
    private static (string Interface, LoadedProgram Program)? RootOnOtherInterface(ProgramArray array, string interfaceName)
    {
        if (array.Id == 0 || !Directory.Exists("/sys/class/net"))
        {
            return null;
        }

        foreach (string path in Directory.EnumerateFileSystemEntries("/sys/class/net"))
        {
            string name = System.IO.Path.GetFileName(path);
            int ifindex = (int)Libc.IfNameToIndex(name);
            if (ifindex == 0 || string.Equals(name, interfaceName, StringComparison.Ordinal)
                || XdpProgramQuery.Find(ifindex) is not { } attached
                || !string.Equals(attached.Name, XdpBypassFilter.ProgramName, StringComparison.Ordinal)
                || !LoadedProgram.UsesMap(attached.Id, array.Id))
            {
                continue;
            }

            return (name, new LoadedProgram(attached.Id, attached.Name));
        }

        return null;
    }

    private static nint ChainMap(nint bpfObject, string what)
    {
        nint map = Libbpf.FindMapByName(bpfObject, MapName);
        return map != 0
            ? map
            : throw new BpfException($"{what}.pin: the XDP filter object has no program array '{MapName}' to continue the chain through (an xdp-filter-file built without it?)");
    }

    private void Place(uint slot, string programPin)
    {
        ProgramArray array = _array!;
        string what = $"{_what}.next[{slot}]";
        int fd = Libbpf.ObjGet(programPin);
        if (fd < 0)
        {
            throw BpfErrors.Create($"{what}: opening the pinned program {programPin}", fd);
        }

        try
        {
            uint current = array.ProgramAt(slot);
            LoadedProgram? program = LoadedProgram.FromFd(fd);
            if (current != 0 && current != program?.Id)
            {
                string occupant = LoadedProgram.FromId(current)?.ToString() ?? $"id {current}";
                throw new BpfException($"{what}: slot {slot} of {array.Path} holds program {occupant}, not {programPin}; refusing to replace it. Empty the slot or list its program here");
            }

            int rc = array.Put(slot, fd);
            if (rc != 0)
            {
                throw BpfErrors.Create(
                    $"{what}: putting {programPin} in slot {slot} of {array.Path}",
                    rc,
                    -rc == Libc.EINVAL ? "A slot takes a pinned XDP program of the filter's kind (not offloaded, no XDP frags)" : null);
            }

            _placed.Add((slot, program?.Id ?? 0));
            EbpfLog.ChainSlotFilled(_logger, _interface, slot, array.Path, programPin, program?.ToString() ?? string.Empty);
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private void Leave(ProgramArray array, uint slot, uint programId)
    {
        // The operator may have put another program there meanwhile: that one is theirs.
        if (array.ProgramAt(slot) != programId)
        {
            EbpfLog.ChainSlotChanged(_logger, _interface, slot, array.Path);
            return;
        }

        int rc = array.Clear(slot);
        if (rc != 0 && -rc != Libc.ENOENT)
        {
            EbpfLog.DeleteFailed(_logger, _interface, $"slot {slot} of {array.Path}", Libc.ErrorText(-rc), -rc);
            return;
        }

        EbpfLog.ChainSlotEmptied(_logger, _interface, slot, array.Path);
    }

    private void RemoveCreatedDirectories()
    {
        if (_directoryCreated is null || _options.ArrayPin is null)
        {
            return;
        }

        for (string? directory = Path.GetDirectoryName(_options.ArrayPin); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (!Directory.Exists(directory) || Directory.EnumerateFileSystemEntries(directory).Any())
            {
                return;
            }

            Directory.Delete(directory);
            if (string.Equals(directory, _directoryCreated, StringComparison.Ordinal))
            {
                return;
            }
        }
    }
}
