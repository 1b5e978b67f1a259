namespace FlowEngine.Flows;

/// <summary>Which of a layer's optional facts a flow key holds (Suricata's <c>use-for-tracking</c> settings).</summary>
[Flags]
internal enum FlowKeyTracking : byte
{
    /// <summary>Addresses, ports and protocol only.</summary>
    None = 0,

    /// <summary>VLAN ids (<c>vlan.use-for-tracking</c>).</summary>
    Vlan = 1,

    /// <summary>Tunnel depth (<c>decoder.recursion-level.use-for-tracking</c>).</summary>
    Recursion = 2,
}
