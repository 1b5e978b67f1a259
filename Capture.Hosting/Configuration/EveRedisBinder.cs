using Capture.Abstractions;

namespace Capture.Hosting.Configuration;

/// <summary>Binds an eve-log's <c>redis:</c> mapping (Suricata's keys, and ours for a fleet).</summary>
internal static class EveRedisBinder
{
    /// <summary>The values <c>redis.mode</c> accepts, Suricata's names and their aliases.</summary>
    public static readonly string[] Modes = ["list", "lpush", "rpush", "channel", "publish", "stream", "xadd"];

    public static EveRedisOptions Bind(ConfigNode? node)
    {
        var options = new EveRedisOptions();
        if (node is null)
        {
            return options;
        }

        options.Server = node.GetString("server", options.Server) ?? options.Server;
        if (string.IsNullOrWhiteSpace(options.Server))
        {
            throw node["server"]!.Error("expected a host name, an address or a unix socket path");
        }

        options.Port = (int)node.GetInt64("port", options.Port, 1, 65535);
        options.Mode = node.GetChoice("mode", "list", Modes) switch
        {
            "rpush" => EveRedisMode.RightPush,
            "channel" or "publish" => EveRedisMode.Publish,
            "stream" or "xadd" => EveRedisMode.Stream,
            _ => EveRedisMode.LeftPush,
        };
        options.Key = node.GetString("key", options.Key) ?? options.Key;
        if (string.IsNullOrEmpty(options.Key))
        {
            throw node["key"]!.Error("expected the name of the list, channel or stream");
        }

        if (HostConfigurationBinder.Mapping(node["pipelining"]) is { } pipelining)
        {
            options.Pipelining = pipelining.GetBoolean("enabled", false);
            options.BatchSize = (int)pipelining.GetInt64("batch-size", options.BatchSize, 1, 100_000);
        }

        options.StreamMaxLength = node.GetInt64("stream-maxlen", options.StreamMaxLength, 0, long.MaxValue);
        options.StreamTrimExact = node.GetBoolean("stream-trim-exact", false);
        options.User = node.GetString("username");
        options.Password = node.GetString("password");
        options.Tls = node.GetBoolean("tls", false);
        options.BufferEvents = (int)node.GetInt64("buffer-events", options.BufferEvents, 1, 100_000_000);
        options.ShutdownTimeout = TimeSpan.FromSeconds(node.GetInt64("shutdown-timeout", (long)options.ShutdownTimeout.TotalSeconds, 0, 3600));
        options.RequireAtStart = node.GetBoolean("require-at-start", false);
        return options;
    }
}
