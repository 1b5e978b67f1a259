namespace FlowEngine.Flows;

/// <summary>What a table scan does with each flow; a struct so the scan loop inlines it.</summary>
internal interface IFlowSlotVisitor
{
    /// <summary>Looks at the flow in <paramref name="slot"/>; returns true when the flow ended and its slot is to be freed.</summary>
    bool Visit(int slot);
}
