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
    ];
}
