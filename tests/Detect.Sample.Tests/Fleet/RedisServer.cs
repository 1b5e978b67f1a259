using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Detect.Sample.Tests.Fleet;

/// <summary>
/// A real redis-server: the run's own when scripts/test.sh (and so .ci/run) started one and named it in
/// <c>CAPTURE_TEST_REDIS</c> (host:port), each test then under keys of its own (<see cref="Key"/>);
/// otherwise, and for a test that stops and starts the server or sets a password, the test's own:
/// loopback, a free port, its files in a temp directory, an append-only file so that a stop and a
/// start keep what was delivered. Never the system service.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    /// <summary>The variable scripts/test.sh sets to the address of the redis-server it started for the run.</summary>
    public const string SharedVariable = "CAPTURE_TEST_REDIS";

    private readonly DirectoryInfo? _directory;
    private readonly string? _password;
    private readonly string _prefix = "";
    private Process? _process;
    private ConnectionMultiplexer? _client;

    /// <param name="password">A password the server requires (a server of the test's own).</param>
    /// <param name="start">Start it now; false: a server of the test's own, down until <see cref="Start"/>.</param>
    /// <param name="own">The test stops and starts the server: never the run's shared one.</param>
    public RedisServer(string? password = null, bool start = true, bool own = false)
    {
        _password = password;
        if (password is null && start && !own && Environment.GetEnvironmentVariable(SharedVariable) is { Length: > 0 } shared)
        {
            string[] address = shared.Split(':');
            if (address.Length != 2 || !IPAddress.TryParse(address[0], out IPAddress? host) || !int.TryParse(address[1], System.Globalization.CultureInfo.InvariantCulture, out int port))
            {
                throw new InvalidOperationException($"{SharedVariable}='{shared}' is not host:port (e.g. 127.0.0.1:6390)");
            }

            Host = host.ToString();
            Port = port;
            _prefix = $"t{Guid.NewGuid():N}:";
            if (!Answers())
            {
                throw new InvalidOperationException($"the run's redis-server at {shared} ({SharedVariable}) does not answer");
            }

            return;
        }

        _directory = Directory.CreateTempSubdirectory("detect-redis-");
        Port = Capture.Tests.Host.LoopbackPort.Free();
        if (start)
        {
            Start();
        }
    }

    public string Host { get; } = "127.0.0.1";

    public int Port { get; }

    /// <summary>True when this is the run's shared server (scripts/test.sh), not the test's own.</summary>
    public bool Shared => _directory is null;

    /// <summary>The name of the test's key (or channel) <paramref name="name"/>: prefixed on the shared server so that tests do not see each other's.</summary>
    public string Key(string name) => _prefix + name;

    public bool Running => _process is { HasExited: false };

    /// <summary>A client of the test's own (reconnecting after a restart).</summary>
    public IDatabase Database
    {
        get
        {
            _client ??= ConnectionMultiplexer.Connect(new ConfigurationOptions
            {
                EndPoints = { { IPAddress.Parse(Host), Port } },
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
        if (_directory is null)
        {
            throw new InvalidOperationException("the run's shared redis-server is not started or stopped by a test; use new RedisServer(own: true)");
        }

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
        if (_directory is null)
        {
            throw new InvalidOperationException("the run's shared redis-server is not started or stopped by a test; use new RedisServer(own: true)");
        }

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
        if (_directory is null)
        {
            // The shared server outlives the test: what the test wrote goes with it.
            if (_client is not null)
            {
                IServer server = _client.GetServer(Host, Port);
                RedisKey[] keys = [.. server.Keys(pattern: _prefix + "*")];
                if (keys.Length > 0)
                {
                    _client.GetDatabase().KeyDelete(keys);
                }
            }
        }
        else
        {
            Stop();
            _directory.Delete(recursive: true);
        }

        _client?.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Parse(Host), Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
