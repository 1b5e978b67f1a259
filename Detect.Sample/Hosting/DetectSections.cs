using Capture.Abstractions;

namespace Detect.Sample.Hosting;

/// <summary>The configuration sections this application reads itself (the detection's), declared as the host and the plugins declare theirs.</summary>
internal static class DetectSections
{
    public static IReadOnlyList<ConfigKey> All { get; } =
    [
        ConfigKeys.Mapping(
            "vars",
            "Rule variables",
            new ConfigKey("address-groups", ConfigValueType.Mapping, "address variables of the rules ($HOME_NET ...), each NAME: value") { OpenKeys = true },
            new ConfigKey("port-groups", ConfigValueType.Mapping, "port variables of the rules ($HTTP_PORTS ...), each NAME: value") { OpenKeys = true }),
        ConfigKeys.Mapping(
            "metrics",
            "The counters for fleet monitoring (our addition; the meter Detect.Sample is always there for dotnet-counters)",
            ConfigKeys.Mapping(
                "prometheus",
                "An HTTP endpoint in Prometheus' text format, GET /metrics",
                ConfigKeys.Boolean("enabled", "no", "serve the endpoint"),
                ConfigKeys.Text("listen", "127.0.0.1", "the address listened on; another than loopback exposes the counters to the network"),
                ConfigKeys.Integer("port", "9917", 1, 65535, "TCP port"))),
    ];
}
