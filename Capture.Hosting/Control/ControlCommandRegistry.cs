using System.Text.Json;
using System.Text.Json.Nodes;
using Capture.Abstractions;

namespace Capture.Hosting.Control;

/// <summary>
/// What the control socket can answer, filled by the host: its interfaces with their counters, a
/// counters snapshot for <c>dump-counters</c>, a shutdown callback, and any extra commands.
/// Suricata's commands are built in: <c>command-list</c>, <c>iface-list</c>, <c>iface-stat</c>,
/// <c>iface-bypassed-stat</c> (alias <c>ebpf-bypassed-stat</c>), <c>dump-counters</c>,
/// <c>uptime</c>, <c>shutdown</c>. Thread-safe: several clients are served at once.
/// </summary>
public sealed class ControlCommandRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ControlCommandHandler> _commands = new(StringComparer.Ordinal);
    private readonly List<ControlInterface> _interfaces = [];
    private Func<IReadOnlyCollection<KeyValuePair<string, long>>>? _counters;
    private Action? _shutdown;

    /// <summary>Creates a registry with the built-in commands.</summary>
    /// <param name="timeProvider">The clock for <c>uptime</c>; null for the system clock.</param>
    public ControlCommandRegistry(TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        StartedAt = TimeProvider.GetUtcNow();
        _commands["command-list"] = _ => CommandList();
        _commands["iface-list"] = _ => InterfaceList();
        _commands["iface-stat"] = InterfaceStat;
        _commands["iface-bypassed-stat"] = _ => InterfaceBypassedStat();
        _commands["ebpf-bypassed-stat"] = _ => InterfaceBypassedStat();
        _commands["dump-counters"] = _ => DumpCounters();
        _commands["uptime"] = _ => ControlReply.Ok(JsonValue.Create((long)(TimeProvider.GetUtcNow() - StartedAt).TotalSeconds));
        _commands["shutdown"] = _ => Shutdown();
    }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>When the host started (for <c>uptime</c>).</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>The command names, sorted.</summary>
    public IReadOnlyList<string> CommandNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _commands.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Adds (or replaces, by name) an interface.</summary>
    /// <param name="controlInterface">The interface.</param>
    public void AddInterface(ControlInterface controlInterface)
    {
        ArgumentNullException.ThrowIfNull(controlInterface);
        lock (_lock)
        {
            _interfaces.RemoveAll(existing => string.Equals(existing.Name, controlInterface.Name, StringComparison.Ordinal));
            _interfaces.Add(controlInterface);
        }
    }

    /// <summary>Sets what <c>dump-counters</c> reports: dotted counter names (<c>capture.kernel_packets</c>) and values.</summary>
    /// <param name="counters">Reads a snapshot.</param>
    public void SetCounters(Func<IReadOnlyCollection<KeyValuePair<string, long>>> counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        lock (_lock)
        {
            _counters = counters;
        }
    }

    /// <summary>Sets what <c>shutdown</c> does (the reply is sent before it runs to completion).</summary>
    /// <param name="shutdown">Asks the host to stop.</param>
    public void SetShutdown(Action shutdown)
    {
        ArgumentNullException.ThrowIfNull(shutdown);
        lock (_lock)
        {
            _shutdown = shutdown;
        }
    }

    /// <summary>Adds or replaces a command.</summary>
    /// <param name="name">The command name.</param>
    /// <param name="handler">Runs it.</param>
    public void AddCommand(string name, ControlCommandHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_lock)
        {
            _commands[name] = handler;
        }
    }

    /// <summary>Runs a command.</summary>
    /// <param name="command">Its name.</param>
    /// <param name="arguments">Its arguments, or null.</param>
    /// <returns>The reply; unknown commands and failing handlers get an error reply.</returns>
    public ControlReply Execute(string command, JsonElement? arguments)
    {
        ControlCommandHandler? handler;
        lock (_lock)
        {
            _commands.TryGetValue(command, out handler);
        }

        if (handler is null)
        {
            return ControlReply.Failed($"Unknown command '{command}'; see command-list");
        }

        return handler(arguments);
    }

    private ControlInterface[] Interfaces()
    {
        lock (_lock)
        {
            return [.. _interfaces];
        }
    }

    private ControlReply CommandList()
    {
        IReadOnlyList<string> names = CommandNames;
        var list = new JsonArray();
        foreach (string name in names)
        {
            list.Add((JsonNode?)name);
        }

        return ControlReply.Ok(new JsonObject { ["count"] = names.Count, ["commands"] = list });
    }

    private ControlReply InterfaceList()
    {
        ControlInterface[] interfaces = Interfaces();
        var names = new JsonArray();
        foreach (ControlInterface item in interfaces)
        {
            names.Add((JsonNode?)item.Name);
        }

        return ControlReply.Ok(new JsonObject { ["count"] = interfaces.Length, ["ifaces"] = names });
    }

    private ControlReply InterfaceStat(JsonElement? arguments)
    {
        if (arguments is not { ValueKind: JsonValueKind.Object } args
            || !args.TryGetProperty("iface", out JsonElement nameElement)
            || nameElement.ValueKind != JsonValueKind.String)
        {
            return ControlReply.Failed("iface-stat needs the argument 'iface' (an interface name)");
        }

        string name = nameElement.GetString()!;
        foreach (ControlInterface item in Interfaces())
        {
            if (string.Equals(item.Name, name, StringComparison.Ordinal))
            {
                CaptureStatistics stats = item.Statistics();
                return ControlReply.Ok(new JsonObject
                {
                    ["pkts"] = stats.PacketsReceived,
                    // Every packet the capture did not see: lack of room and the interface's own drops.
                    ["drop"] = stats.KernelDrops + stats.InterfaceDrops,
                    ["invalid-checksums"] = item.InvalidChecksums?.Invoke() ?? 0,
                    ["bypassed"] = stats.Bypass.Packets,
                });
            }
        }

        return ControlReply.Failed($"Interface '{name}' not found");
    }

    private ControlReply InterfaceBypassedStat()
    {
        var result = new JsonObject();
        foreach (ControlInterface item in Interfaces())
        {
            if (!item.BypassEnabled)
            {
                continue;
            }

            BypassStatistics bypass = item.Statistics().Bypass;
            result[item.Name] = new JsonObject
            {
                ["ipv4_maps_count"] = bypass.IPv4.EntriesOffloaded,
                ["ipv4_success"] = bypass.IPv4.Success,
                ["ipv4_fail"] = bypass.IPv4.Failure,
                ["ipv6_maps_count"] = bypass.IPv6.EntriesOffloaded,
                ["ipv6_success"] = bypass.IPv6.Success,
                ["ipv6_fail"] = bypass.IPv6.Failure,
            };
        }

        return result.Count == 0 ? ControlReply.Failed("No interface using bypass") : ControlReply.Ok(result);
    }

    private ControlReply DumpCounters()
    {
        Func<IReadOnlyCollection<KeyValuePair<string, long>>>? counters;
        lock (_lock)
        {
            counters = _counters;
        }

        var tree = new JsonObject { ["uptime"] = (long)(TimeProvider.GetUtcNow() - StartedAt).TotalSeconds };
        if (counters is not null)
        {
            foreach ((string name, long value) in counters())
            {
                Place(tree, name, value);
            }
        }

        return ControlReply.Ok(tree);
    }

    private static void Place(JsonObject tree, string dottedName, long value)
    {
        string[] parts = dottedName.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return;
        }

        JsonObject node = tree;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (node[parts[i]] is not JsonObject child)
            {
                child = [];
                node[parts[i]] = child;
            }

            node = child;
        }

        node[parts[^1]] = value;
    }

    private ControlReply Shutdown()
    {
        Action? shutdown;
        lock (_lock)
        {
            shutdown = _shutdown;
        }

        if (shutdown is null)
        {
            return ControlReply.Failed("shutdown is not available in this host");
        }

        shutdown();
        return ControlReply.Ok(JsonValue.Create("Closing"));
    }
}
