namespace Detect.Sample.Detection;

/// <summary>
/// What rules gather from a flow's payload over its packets: the HTTP bodies that run over several
/// packets (when a rule inspects bodies) and the flow variables <c>pcre</c>s captured. Allocated
/// apart, on first use, and each part within it too: most flows need neither.
/// </summary>
internal sealed class FlowCaptures
{
    private HttpBodyTracking? _bodies;
    private List<CapturedVariable>? _variables;

    /// <summary>The flow's HTTP bodies that run over several packets.</summary>
    public HttpBodyTracking Bodies => _bodies ??= new HttpBodyTracking();

    /// <summary>The flow's variables (the last value of each name), created on first use.</summary>
    public List<CapturedVariable> Variables => _variables ??= [];

    /// <summary>The flow's variables, or null when none was captured.</summary>
    public IReadOnlyList<CapturedVariable>? VariablesIfAny => _variables is { Count: > 0 } variables ? variables : null;
}
