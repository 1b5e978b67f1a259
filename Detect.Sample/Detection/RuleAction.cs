namespace Detect.Sample.Detection;

/// <summary>What a matching rule does.</summary>
internal enum RuleAction
{
    /// <summary>Write an alert.</summary>
    Alert,

    /// <summary>Stop inspecting the flow, without alerts (Suricata's pass: the whole flow is passed).</summary>
    Pass,
}
