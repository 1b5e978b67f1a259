using Microsoft.Extensions.Logging;

namespace Detect.Sample.Console;

/// <summary>
/// The process's logger factory: each logger passes an entry to every provider's logger of its
/// category (the console's and suricata.log's), each of which holds its own level.
/// </summary>
/// <remarks>
/// In place of Microsoft.Extensions.Logging's <c>LoggerFactory</c>, whose filter rules, options
/// monitor and provider-alias reflection cost ~4 ms of CPU before the first logger of every run,
/// for providers that filter by themselves. As that factory does, it disposes only the providers
/// added through <see cref="AddProvider"/> (the ones given to the constructor belong to the caller),
/// and a provider that throws does not keep the entry from the others: the exceptions are thrown
/// together afterwards.
/// </remarks>
internal sealed class LineLoggerFactory : ILoggerFactory
{
    private readonly Lock _gate = new();
    private readonly List<ILoggerProvider> _added = [];
    private ILoggerProvider[] _providers;
    private bool _disposed;

    public LineLoggerFactory(params ILoggerProvider[] providers)
    {
        _providers = [.. providers];
    }

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _added.Add(provider);
            _providers = [.. _providers, provider];
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName)
    {
        ArgumentNullException.ThrowIfNull(categoryName);
        return new CategoryLogger(this, categoryName);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ILoggerProvider[] added;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            added = [.. _added];
        }

        foreach (ILoggerProvider provider in added)
        {
            provider.Dispose();
        }
    }

    /// <summary>One category's logger: the providers' loggers of that category, renewed when a provider is added.</summary>
    private sealed class CategoryLogger(LineLoggerFactory factory, string category) : ILogger
    {
        // One reference, so that a reader never pairs one set of providers with another's loggers.
        private Tuple<ILoggerProvider[], ILogger[]> _current = Tuple.Create<ILoggerProvider[], ILogger[]>([], []);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            List<IDisposable>? scopes = null;
            foreach (ILogger logger in Loggers())
            {
                if (logger.BeginScope(state) is { } scope)
                {
                    (scopes ??= []).Add(scope);
                }
            }

            return scopes switch
            {
                null => null,
                [IDisposable only] => only,
                _ => new Scopes(scopes),
            };
        }

        public bool IsEnabled(LogLevel logLevel)
        {
            foreach (ILogger logger in Loggers())
            {
                if (logger.IsEnabled(logLevel))
                {
                    return true;
                }
            }

            return false;
        }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            List<Exception>? failures = null;
            foreach (ILogger logger in Loggers())
            {
                if (!logger.IsEnabled(logLevel))
                {
                    continue;
                }

                try
                {
                    logger.Log(logLevel, eventId, state, exception, formatter);
                }
#pragma warning disable CA1031 // Every provider gets the entry; the failures are thrown together below.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    (failures ??= []).Add(e);
                }
            }

            if (failures is not null)
            {
                throw new AggregateException("An error occurred while writing to logger(s).", failures);
            }
        }

        private ILogger[] Loggers()
        {
            Tuple<ILoggerProvider[], ILogger[]> current = Volatile.Read(ref _current);
            ILoggerProvider[] providers = Volatile.Read(ref factory._providers);
            if (!ReferenceEquals(current.Item1, providers))
            {
                current = Tuple.Create(providers, Array.ConvertAll(providers, p => p.CreateLogger(category)));
                Volatile.Write(ref _current, current);
            }

            return current.Item2;
        }
    }

    private sealed class Scopes(List<IDisposable> scopes) : IDisposable
    {
        public void Dispose()
        {
            foreach (IDisposable scope in scopes)
            {
                scope.Dispose();
            }
        }
    }
}
