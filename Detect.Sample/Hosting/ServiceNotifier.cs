using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Hosting;

/// <summary>
/// Tells systemd (a <c>Type=notify</c> unit, <c>NOTIFY_SOCKET</c>) that the host is ready once
/// its capture sources run, and that it is stopping when a stop begins. Silent elsewhere.
/// </summary>
internal sealed class ServiceNotifier : IDisposable
{
    private readonly SystemdNotifier _notifier = new();
    private readonly ILogger _logger;
    private int _ready;
    private int _stopping;

    public ServiceNotifier(ILogger logger) => _logger = logger;

    /// <summary>READY=1, once.</summary>
    public void Ready()
    {
        if (_notifier.IsEnabled && Interlocked.Exchange(ref _ready, 1) == 0)
        {
            _notifier.Notify(ServiceState.Ready);
            DetectLog.ServiceNotified(_logger, "READY=1");
        }
    }

    /// <summary>STOPPING=1, once.</summary>
    public void Stopping()
    {
        if (_notifier.IsEnabled && Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            _notifier.Notify(ServiceState.Stopping);
            DetectLog.ServiceNotified(_logger, "STOPPING=1");
        }
    }

    public void Dispose()
    {
        // Nothing is held between notifications; the type is disposable so that a run scopes it.
    }
}
