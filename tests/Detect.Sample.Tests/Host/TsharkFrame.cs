namespace Detect.Sample.Tests.Host;

/// <summary>One frame as tshark reads it: time (epoch, as printed), lengths, an MD5 of its bytes, and its conversation.</summary>
/// <param name="Time">frame.time_epoch as tshark prints it (nanosecond digits).</param>
/// <param name="Length">Bytes on the wire.</param>
/// <param name="CaptureLength">Bytes captured.</param>
/// <param name="Md5">The captured bytes' MD5.</param>
/// <param name="Conversation">The innermost "src:port|dst:port" in <see cref="Tshark.Key"/> order.</param>
internal sealed record TsharkFrame(string Time, int Length, int CaptureLength, string Md5, string Conversation)
{
    /// <summary>The time in whole microseconds since the epoch.</summary>
    public long Microseconds => long.Parse(Time.Replace(".", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) / 1000;
}
