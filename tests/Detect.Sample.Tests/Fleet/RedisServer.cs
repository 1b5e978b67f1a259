using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Detect.Sample.Tests.Fleet;

/// <summary>
/// A real redis-server of the test's own: loopback, a free port, its files in a temp directory, an
/// append-only file so that a stop and a start keep what was delivered. Never the system service.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("detect-redis-");
    private readonly string? _password;
    private Process? _process;
    private ConnectionMultiplexer? _client;

    public RedisServer(string? password = null, bool start = true)
    {
        _password = password;
        Port = FreePort();
        if (start)
        {
            Start();
        }
    }

    public int Port { get; }

    public bool Running => _process is { HasExited: false };

    /// <summary>A client of the test's own (reconnecting after a restart).</summary>
    public IDatabase Database
    {
        get
        {
            _client ??= ConnectionMultiplexer.Connect(new ConfigurationOptions
            {
                EndPoints = { { IPAddress.Loopback, Port } },
                Password = _password,
                AbortOnConnectFail = false,
            });
            return _client.GetDatabase();
        }
    }

    public ISubscriber Subscriber
    {
        get
        {
            _ = Database;
            return _client!.GetSubscriber();
        }
    }

    public void Start()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            WorkingDirectory = _directory.FullName,
        };
        foreach (string argument in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory.FullName, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no"])
        {
            start.ArgumentList.Add(argument);
        }

        if (_password is not null)
        {
            start.ArgumentList.Add("--requirepass");
            start.ArgumentList.Add(_password);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (!Answers())
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not answer (exited: {_process.HasExited}); is it installed (scripts/setup.sh)?");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Stops the server as an operator would (SIGTERM: it closes its append-only file).</summary>
    public void Stop()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        _ = Kill(_process.Id, 15);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        _client?.Dispose();
        _directory.Delete(recursive: true);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>A loopback port nobody listens on now.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
