namespace Detect.Sample.Detection;

/// <summary>A variable a matching rule's <c>pcre</c> captured (<see cref="PcreCapture"/>): the rule's sid, where it goes, its name and value.</summary>
internal readonly record struct CapturedVariable(long Sid, PcreCaptureKind Kind, string Name, string Value);
