using System.Text.Json.Nodes;

namespace Capture.Hosting.Control;

/// <summary>The answer to one control command: <c>{"return": "OK"|"NOK", "message": ...}</c>.</summary>
/// <param name="Success">True for <c>"OK"</c>.</param>
/// <param name="Message">The <c>message</c> member (a text, a number or an object), or null to leave it out.</param>
public readonly record struct ControlReply(bool Success, JsonNode? Message)
{
    /// <summary>A successful reply.</summary>
    /// <param name="message">The message, or null.</param>
    /// <returns>The reply.</returns>
    public static ControlReply Ok(JsonNode? message = null) => new(true, message);

    /// <summary>A failed reply.</summary>
    /// <param name="message">What went wrong.</param>
    /// <returns>The reply.</returns>
    public static ControlReply Failed(string message) => new(false, JsonValue.Create(message));

    /// <summary>The reply as the protocol spells it.</summary>
    /// <returns>The JSON object.</returns>
    public JsonObject ToJson()
    {
        var reply = new JsonObject { ["return"] = Success ? "OK" : "NOK" };
        if (Message is not null)
        {
            reply["message"] = Message.DeepClone();
        }

        return reply;
    }
}
