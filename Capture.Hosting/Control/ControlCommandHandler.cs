using System.Text.Json;

namespace Capture.Hosting.Control;

/// <summary>Runs one control command.</summary>
/// <param name="arguments">The request's <c>arguments</c> object, or null when it had none.</param>
/// <returns>The reply.</returns>
public delegate ControlReply ControlCommandHandler(JsonElement? arguments);
