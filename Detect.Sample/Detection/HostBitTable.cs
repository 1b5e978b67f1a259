using Capture.Abstractions;

namespace Detect.Sample.Detection;

/// <summary>
/// The <c>hostbits</c> of every host, shared by the workers as Suricata's host table is: a host's
/// bits are seen by every flow it takes part in. Guarded by one lock; only rules with hostbits
/// touch it. Bits do not expire.
/// </summary>
internal sealed class HostBitTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(FlowAddress Address, bool IsIPv6), HashSet<string>> _hosts = [];

    /// <summary>Whether the conditions among <paramref name="commands"/> hold for the packet's hosts.</summary>
    public bool Holds(IReadOnlyList<HostbitCommand> commands, in FlowTuple packet)
    {
        if (commands.Count == 0)
        {
            return true;
        }

        lock (_lock)
        {
            foreach (HostbitCommand command in commands)
            {
                if (!command.IsCondition)
                {
                    continue;
                }

                bool wanted = command.Command == FlowbitCommand.Op.IsSet;
                bool source = command.Host is HostbitCommand.Target.Source or HostbitCommand.Target.Both;
                bool destination = command.Host is HostbitCommand.Target.Destination or HostbitCommand.Target.Both;
                if ((source && IsSet(packet.Source, packet.IsIPv6, command.Name) != wanted)
                    || (destination && IsSet(packet.Destination, packet.IsIPv6, command.Name) != wanted))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Runs a matching rule's hostbit commands (set, unset, toggle) on the packet's hosts.</summary>
    public void Apply(IReadOnlyList<HostbitCommand> commands, in FlowTuple packet)
    {
        if (commands.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            foreach (HostbitCommand command in commands)
            {
                if (command.IsCondition)
                {
                    continue;
                }

                if (command.Host is HostbitCommand.Target.Source or HostbitCommand.Target.Both)
                {
                    Change(packet.Source, packet.IsIPv6, command);
                }

                if (command.Host is HostbitCommand.Target.Destination or HostbitCommand.Target.Both)
                {
                    Change(packet.Destination, packet.IsIPv6, command);
                }
            }
        }
    }

    private bool IsSet(FlowAddress address, bool isIPv6, string name) => _hosts.TryGetValue((address, isIPv6), out HashSet<string>? bits) && bits.Contains(name);

    private void Change(FlowAddress address, bool isIPv6, HostbitCommand command)
    {
        if (!_hosts.TryGetValue((address, isIPv6), out HashSet<string>? bits))
        {
            if (command.Command == FlowbitCommand.Op.Unset)
            {
                return;
            }

            bits = new HashSet<string>(StringComparer.Ordinal);
            _hosts.Add((address, isIPv6), bits);
        }

        switch (command.Command)
        {
            case FlowbitCommand.Op.Set:
                bits.Add(command.Name);
                break;
            case FlowbitCommand.Op.Unset:
                bits.Remove(command.Name);
                break;
            default:
                if (!bits.Remove(command.Name))
                {
                    bits.Add(command.Name);
                }

                break;
        }
    }
}
