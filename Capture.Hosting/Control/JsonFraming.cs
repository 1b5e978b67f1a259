using System.Text.Json;

namespace Capture.Hosting.Control;

/// <summary>
/// Finds where the first complete JSON value of a byte stream ends. Suricata's clients send the
/// version handshake without a newline and commands with one, so messages are delimited by JSON
/// structure rather than by lines.
/// </summary>
internal static class JsonFraming
{
    /// <summary>What the buffer holds.</summary>
    public enum Result
    {
        /// <summary>Not a whole value yet (or only whitespace).</summary>
        Incomplete,

        /// <summary>A whole value; its end is known.</summary>
        Complete,

        /// <summary>Not JSON.</summary>
        Malformed,
    }

    /// <summary>Looks for the end of the first JSON value in <paramref name="data"/>.</summary>
    /// <param name="data">Bytes received and not yet consumed.</param>
    /// <param name="end">Bytes up to the end of the value when <see cref="Result.Complete"/>.</param>
    /// <param name="error">The parser's complaint when <see cref="Result.Malformed"/>.</param>
    public static Result TryFindValue(ReadOnlySpan<byte> data, out int end, out string? error)
    {
        end = 0;
        error = null;
        var reader = new Utf8JsonReader(data, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read())
            {
                return Result.Incomplete;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                if (!reader.TrySkip())
                {
                    return Result.Incomplete;
                }
            }

            end = (int)reader.BytesConsumed;
            return Result.Complete;
        }
        catch (JsonException exception)
        {
            error = exception.Message;
            return Result.Malformed;
        }
    }
}
