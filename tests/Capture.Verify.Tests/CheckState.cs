namespace Capture.Verify.Tests;

/// <summary>How a check came out against the expected-failures list.</summary>
internal enum CheckState
{
    /// <summary>Scored, and the run agrees with it.</summary>
    Agrees,

    /// <summary>Scored, does not agree, and is listed with its reason.</summary>
    ExpectedFailure,

    /// <summary>Scored, does not agree, and is not listed: a regression (or a new check).</summary>
    UnexpectedFailure,

    /// <summary>Scored, agrees, but is still listed: the list must shrink.</summary>
    ListedButAgrees,

    /// <summary>A kind of check we do not claim.</summary>
    NotClaimed,

    /// <summary>For another Suricata version than the one we stand in for.</summary>
    NotApplicable,
}
