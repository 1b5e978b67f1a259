using Capture.Abstractions;

namespace Capture.Linux.Xdp;

/// <summary>
/// How the XDP bypass filter shares the interface's XDP hook with other programs, in the chaining
/// model of program arrays and tail calls (docs/XDP.md, "Chaining"). Maps the af-packet entry's
/// <c>xdp-chain:</c> mapping: <c>pin</c> → <see cref="ArrayPin"/>, <c>next</c> → <see cref="Next"/>,
/// <c>join</c> → <see cref="JoinArray"/>, <c>join-index</c> → <see cref="JoinIndex"/>.
/// </summary>
public sealed class XdpChainOptions
{
    /// <summary>Slots of the filter's own program array: the filter tries them in this order, and a created array has this many.</summary>
    public const int Slots = 8;

    /// <summary>
    /// Where the filter's program array (BPF_MAP_TYPE_PROG_ARRAY, 4-byte keys and values) is pinned:
    /// a packet the filter does not drop goes on by tail call to the first program found in its
    /// slots. Reused when pinned already, else created and pinned. Null: packets not dropped are XDP_PASS.
    /// </summary>
    public string? ArrayPin { get; set; }

    /// <summary>Pinned programs the filter puts at slots 0, 1, ... of <see cref="ArrayPin"/> at start and takes out at stop.</summary>
    public IList<string> Next { get; init; } = [];

    /// <summary>
    /// Another root's pinned program array: the filter is not attached to the interface but put at
    /// slot <see cref="JoinIndex"/> of this array (and taken out at stop). Null: the filter is attached.
    /// </summary>
    public string? JoinArray { get; set; }

    /// <summary>The slot of <see cref="JoinArray"/> the filter takes.</summary>
    public int JoinIndex { get; set; }

    /// <summary>Whether the filter continues through an array of its own.</summary>
    public bool IsRoot => ArrayPin is not null;

    /// <summary>Whether the filter is a link of another root's chain.</summary>
    public bool IsLink => JoinArray is not null;

    /// <summary>Checks the paths and slots; the message names the key and what is allowed.</summary>
    /// <param name="interfaceName">The interface, for the message.</param>
    /// <param name="mode">Where the filter runs.</param>
    /// <exception cref="ConfigurationException">A value is wrong.</exception>
    public void Validate(string interfaceName, XdpMode mode)
    {
        if (mode == XdpMode.Hardware && (IsRoot || IsLink))
        {
            throw new ConfigurationException($"{interfaceName}: xdp-chain with xdp-mode: hw: an offloaded filter cannot tail call or be tail called; use xdp-mode: driver or soft");
        }

        CheckPath(interfaceName, "pin", ArrayPin);
        CheckPath(interfaceName, "join", JoinArray);
        if (Next.Count > 0 && ArrayPin is null)
        {
            throw new ConfigurationException($"{interfaceName}: xdp-chain.next needs xdp-chain.pin: the program array the next programs go into");
        }

        if (Next.Count > Slots)
        {
            throw new ConfigurationException($"{interfaceName}: xdp-chain.next lists {Next.Count} programs; the filter tries {Slots} slots");
        }

        foreach (string program in Next)
        {
            CheckPath(interfaceName, "next", program);
        }

        if (JoinIndex < 0 || (JoinIndex != 0 && JoinArray is null))
        {
            throw new ConfigurationException($"{interfaceName}: xdp-chain.join-index {JoinIndex}: expected a slot (0 or more) of the array named by xdp-chain.join");
        }

        if (ArrayPin is not null && string.Equals(ArrayPin, JoinArray, StringComparison.Ordinal))
        {
            throw new ConfigurationException($"{interfaceName}: xdp-chain.pin and xdp-chain.join are both {ArrayPin}: the filter would tail call itself");
        }
    }

    /// <summary>A copy, so a running filter is not changed under it.</summary>
    /// <returns>The copy.</returns>
    public XdpChainOptions Clone() => new() { ArrayPin = ArrayPin, Next = [.. Next], JoinArray = JoinArray, JoinIndex = JoinIndex };

    // l3afd's rule: paths from configuration are absolute and never climb out of where they point.
    private static void CheckPath(string interfaceName, string key, string? path)
    {
        if (path is null)
        {
            return;
        }

        if (!path.StartsWith('/') || path.EndsWith('/') || path.Split('/').Any(part => part is ".." or "."))
        {
            throw new ConfigurationException($"{interfaceName}: xdp-chain.{key} '{path}' must be an absolute path of a pin on a bpffs (e.g. /sys/fs/bpf/chain/{interfaceName}), without '.' or '..'");
        }
    }
}
