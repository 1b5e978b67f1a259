namespace Detect.Sample.Detection;

/// <summary>One capture group of a <c>pcre</c> that names a variable: its kind, the variable's name and the group's number.</summary>
internal readonly record struct PcreCapture(PcreCaptureKind Kind, string Name, int Group);
