using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Capture.AfPacket.Tests;

/// <summary>Talking to a running Detect.Sample host in the end-to-end tests: its control socket, its EVE stats, waiting on it.</summary>
internal static class DetectSampleControl
{
    internal static JsonElement LastStats(string eve)
    {
        JsonElement? stats = null;
        foreach (string line in File.ReadLines(eve))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            if (document.RootElement.GetProperty("event_type").GetString() == "stats")
            {
                stats = document.RootElement.GetProperty("stats").Clone();
            }
        }

        return stats ?? throw new InvalidOperationException($"no stats event in {eve}");
    }

    internal static JsonElement Ask(Socket socket, string request)
    {
        socket.Send(Encoding.UTF8.GetBytes(request));
        var buffer = new List<byte>();
        byte[] chunk = new byte[65536];
        socket.ReceiveTimeout = 10_000;
        while (!buffer.Contains((byte)'\n'))
        {
            int received = socket.Receive(chunk);
            Assert.True(received > 0, "the control socket closed before replying");
            buffer.AddRange(chunk.AsSpan(0, received).ToArray());
        }

        using JsonDocument document = JsonDocument.Parse(buffer.ToArray().AsMemory(0, buffer.IndexOf((byte)'\n')));
        return document.RootElement.Clone();
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, Process process, Task<string> output, Task<string> errors, string what)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Detect.Sample exited ({process.ExitCode}) before {what}: {await output} {await errors}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited 30 s for {what}");
            }

            await Task.Delay(50);
        }
    }
}
