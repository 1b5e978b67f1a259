using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;
using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Plugins;

/// <summary>
/// Finds capture plugins on disk under one trust policy, loads each in its own load context
/// (<see cref="PluginLoadContext"/>: the SDK and the dependency-injection, logging and options
/// abstractions shared with the host), takes those compiled into the host
/// (<see cref="CapturePluginLoadOptions.BuiltInPlugins"/>), checks the contract version both ways
/// and lets the plugins register their services. Every failure is a
/// <see cref="CapturePluginException"/> naming the plugin and the cause.
/// </summary>
public sealed class CapturePluginLoader
{
    private readonly CapturePluginLoadOptions _options;
    private readonly ILogger _logger;
    private readonly PluginTrustPolicy _trust = new();
    private readonly List<string> _searched = [];
    private readonly List<CapturePluginException> _failures = [];
    private readonly List<string> _notLoaded = [];

    /// <summary>Creates a loader.</summary>
    /// <param name="options">Where to look and how to load.</param>
    public CapturePluginLoader(CapturePluginLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<CapturePluginLoader>();
    }

    /// <summary>The plugin roots searched so far, as real paths (for messages).</summary>
    public IReadOnlyList<string> SearchedRoots => _searched;

    /// <summary>Optional plugins that failed to load and were skipped (see <see cref="CapturePluginLoadOptions.RequiredPlugins"/>).</summary>
    public IReadOnlyList<CapturePluginException> Failures => _failures;

    /// <summary>
    /// Finds the plugins of the default root and the configured roots, checks each against the
    /// trust policy, refuses a name found twice, then loads and checks every plugin.
    /// </summary>
    /// <returns>The plugins, not yet registered.</returns>
    /// <exception cref="CapturePluginException">A root or plugin is refused, a name is found twice, or a required plugin cannot be loaded.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Plugin assemblies are loaded only when CapturePluginLoadOptions.LoadsAssemblies is set; a host compiled ahead of time clears it and the loader refuses a directory plugin before any reflection.")]
    [UnconditionalSuppressMessage("SingleFile", "IL3002", Justification = "As above: only a host that loads plugin assemblies from files reaches the directory plugins' path.")]
    public IReadOnlyList<LoadedCapturePlugin> Load()
    {
        var found = new List<(string Directory, CapturePluginManifest Manifest)>();
        foreach (string directory in Discover())
        {
            _trust.CheckPlugin(directory);
            if (Attempt(Path.GetFileName(directory), () => CapturePluginManifest.Read(directory)) is { } manifest)
            {
                found.Add((directory, manifest));
            }
        }

        // Before any code is loaded: which copy would run must never depend on search order.
        // (A dictionary, not GroupBy: LINQ's grouping over these tuples was JIT compiled at each start.)
        var places = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (ICapturePlugin builtIn in _options.BuiltInPlugins)
        {
            AddPlace(places, BuiltInName(builtIn), BuiltInPlace);
        }

        foreach ((string directory, CapturePluginManifest manifest) in found)
        {
            AddPlace(places, manifest.Name, directory);
        }

        foreach ((string name, List<string> same) in places)
        {
            if (same.Count > 1)
            {
                bool builtIn = same.Contains(BuiltInPlace, StringComparer.Ordinal);
                (string where, string across) = builtIn
                    ? ("places", "the host's built-in plugins and the plugin roots")
                    : ("plugin directories", "the plugin roots");
                throw new CapturePluginException(name, null, $"is in {same.Count} {where}, {string.Join(" and ", same)}; a plugin name must be unique across {across}. Remove all but one");
            }
        }

        var loaded = new List<LoadedCapturePlugin>();
        foreach (ICapturePlugin builtIn in _options.BuiltInPlugins)
        {
            string name = BuiltInName(builtIn);
            if (Skipped(name))
            {
                continue;
            }

            if (Attempt(name, () => Accept(name, AppContext.BaseDirectory, builtIn, builtIn.Descriptor, builtIn.GetType().Assembly, AssemblyLoadContext.Default, null)) is { } plugin)
            {
                loaded.Add(plugin);
            }
        }

        foreach ((string directory, CapturePluginManifest manifest) in found)
        {
            if (Skipped(manifest.Name))
            {
                continue;
            }

            if (Attempt(manifest.Name, () => LoadPlugin(directory, manifest)) is { } plugin)
            {
                loaded.Add(plugin);
            }
        }

        return loaded;
    }

    /// <summary>Why the directory plugins' path needs what a host compiled ahead of time lacks.</summary>
    private const string AssemblyLoading = "Loads a plugin's assemblies from its directory and finds its entry type by reflection; a host compiled ahead of time uses built-in plugins (CapturePluginLoadOptions.LoadsAssemblies).";

    /// <summary>Where a built-in plugin is, in messages.</summary>
    private const string BuiltInPlace = "the host (built in)";

    private static void AddPlace(Dictionary<string, List<string>> places, string name, string place)
    {
        if (!places.TryGetValue(name, out List<string>? same))
        {
            places.Add(name, same = []);
        }

        same.Add(place);
    }

    private static string BuiltInName(ICapturePlugin plugin) =>
        plugin.Descriptor?.Name ?? throw new CapturePluginException(plugin.GetType().FullName ?? "built-in", null, "is built into the host but its Descriptor is null");

    /// <summary>A plugin this run does not load (<see cref="CapturePluginLoadOptions.LoadRequiredOnly"/>), recorded as such.</summary>
    private bool Skipped(string name)
    {
        if (_options.LoadRequiredOnly && _options.RequiredPlugins?.Contains(name) != true)
        {
            _notLoaded.Add(name);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Lets each plugin register its services into <paramref name="services"/> and checks that it
    /// registered an <see cref="ICaptureSourceFactory"/> keyed by its name.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="plugins">Plugins from <see cref="Load"/>.</param>
    /// <returns>A catalog of the plugins (also registered as a singleton).</returns>
    /// <exception cref="CapturePluginException">A plugin threw or registered nothing.</exception>
    /// <exception cref="ConfigurationException">A plugin found a bad value in its configuration section while binding it.</exception>
    public CapturePluginCatalog Register(IServiceCollection services, IReadOnlyList<LoadedCapturePlugin> plugins)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(plugins);
        foreach (LoadedCapturePlugin plugin in plugins)
        {
            var context = new CapturePluginContext(CaptureContract.Current, plugin.Directory, _options.Configuration, _options.LoggerFactory);
            try
            {
                using (plugin.LoadContext.EnterContextualReflection())
                {
                    plugin.Plugin.ConfigureServices(services, context);
                }
            }
            catch (Exception ex) when (MissingAssembly(ex) is { } missing)
            {
                throw new CapturePluginException(plugin.Name, plugin.Directory, $"missing dependency {missing} while registering its services: not in the plugin directory and not provided by the host", ex);
            }
            catch (ConfigurationException)
            {
                // A bad value in the plugin's own section: the operator's to fix, said as such.
                throw;
            }
            catch (Exception ex)
            {
                throw new CapturePluginException(plugin.Name, plugin.Directory, $"threw while registering its services: {ex.GetType().Name}: {ex.Message}", ex);
            }

            bool hasFactory = services.Any(d => d.ServiceType == typeof(ICaptureSourceFactory) && d.IsKeyedService && Equals(d.ServiceKey, plugin.Name));
            if (!hasFactory)
            {
                throw new CapturePluginException(plugin.Name, plugin.Directory, $"registered no ICaptureSourceFactory keyed '{plugin.Name}'; call services.AddCaptureSourceFactory<TFactory>(\"{plugin.Name}\") in ConfigureServices");
            }

            PluginLog.Registered(_logger, plugin.Name);
        }

        var catalog = new CapturePluginCatalog(plugins, [.. _searched], [.. _failures], [.. _notLoaded]);
        services.AddSingleton(catalog);
        return catalog;
    }

    /// <summary>Runs one plugin's load step; the failure of a plugin that is not required is recorded and skipped.</summary>
    private T? Attempt<T>(string name, Func<T> load)
        where T : class
    {
        try
        {
            return load();
        }
        catch (CapturePluginException ex) when (_options.RequiredPlugins is { } required && !required.Contains(name) && !(ex.PluginName is { } named && required.Contains(named)))
        {
            _failures.Add(ex);
            PluginLog.Skipped(_logger, ex.Message);
            return null;
        }
    }

    /// <summary>The real paths of the plugin directories of every root, each once, each root checked.</summary>
    private List<string> Discover()
    {
        var roots = new List<(string Path, bool Required)>();
        if (_options.IncludeDefaultRoot)
        {
            roots.Add((CapturePluginLoadOptions.DefaultRoot, false));
        }

        foreach (string root in _options.PluginRoots)
        {
            roots.Add((root, true));
        }

        var directories = new List<string>();
        foreach ((string given, bool required) in roots)
        {
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(given));
            if (!required && !Directory.Exists(full))
            {
                PluginLog.DefaultRootMissing(_logger, full);
                continue;
            }

            bool isPlugin = File.Exists(Path.Combine(full, CapturePluginManifest.FileName));
            string root = _trust.CheckRoot(full, isPlugin ? "plugin directory" : "plugin root");
            if (!_searched.Contains(root, StringComparer.Ordinal))
            {
                _searched.Add(root);
            }

            PluginLog.SearchingRoot(_logger, root);
            string[] candidates = isPlugin ? [root] : Directory.GetDirectories(root);
            Array.Sort(candidates, StringComparer.Ordinal);
            foreach (string candidate in candidates)
            {
                if (!File.Exists(Path.Combine(candidate, CapturePluginManifest.FileName)))
                {
                    PluginLog.SkippingDirectory(_logger, candidate);
                    continue;
                }

                // A plugin named twice (a root given twice, a root and one of its plugins) is one plugin.
                string real = PluginTrustPolicy.RealPath(candidate) ?? candidate;
                if (!directories.Contains(real, StringComparer.Ordinal))
                {
                    directories.Add(real);
                }
            }
        }

        return directories;
    }

    [RequiresUnreferencedCode(AssemblyLoading)]
    [RequiresAssemblyFiles(AssemblyLoading)]
    private LoadedCapturePlugin LoadPlugin(string directory, CapturePluginManifest manifest)
    {
        string name = manifest.Name;
        if (!_options.LoadsAssemblies)
        {
            string builtIn = _options.BuiltInPlugins.Count == 0 ? "none" : string.Join(", ", _options.BuiltInPlugins.Select(BuiltInName));
            throw new CapturePluginException(name, directory, $"this host is compiled ahead of time and cannot load plugin assemblies; its built-in capture plugins are {builtIn}. Use a build of the host that loads plugins (Just-In-Time compiled) for this one");
        }

        if (!CaptureContract.IsCompatible(CaptureContract.Current, manifest.ContractVersion, out string? manifestReason))
        {
            throw new CapturePluginException(name, directory, $"plugin.json declares contract {manifest.ContractVersionText()}: {manifestReason}");
        }

        string sdkFile = SharedAssemblies.SdkName + ".dll";
        string? ownSdk = Directory.EnumerateFiles(directory, sdkFile, SearchOption.AllDirectories).FirstOrDefault();
        if (ownSdk is not null)
        {
            throw new CapturePluginException(name, directory, $"ships its own copy of the SDK ({Path.GetRelativePath(directory, ownSdk)}); the SDK must come from the host. Delete it and reference Capture.Abstractions with Private=false and ExcludeAssets=runtime");
        }

        string assemblyPath = Path.Combine(directory, manifest.Assembly);
        if (!File.Exists(assemblyPath))
        {
            throw new CapturePluginException(name, directory, $"entry assembly {manifest.Assembly} (plugin.json \"assembly\") not found in the plugin directory");
        }

        PluginLoadContext context;
        try
        {
            // Shared assemblies are resolved from the host when the plugin first asks for them, not
            // all at once (some 70 framework assemblies, ~15 MB, per plugin loaded).
            context = new PluginLoadContext(assemblyPath, SharedAssemblies.HostContext, _options.Collectible);
        }
        catch (InvalidOperationException ex)
        {
            throw new CapturePluginException(name, directory, $"its dependency manifest ({Path.GetFileNameWithoutExtension(manifest.Assembly)}.deps.json) cannot be resolved: {ex.Message}", ex);
        }

        try
        {
            return Activate(name, directory, manifest, assemblyPath, context);
        }
        catch
        {
            if (context.IsCollectible)
            {
                context.Unload();
            }

            throw;
        }
    }

    [RequiresUnreferencedCode(AssemblyLoading)]
    [RequiresAssemblyFiles(AssemblyLoading)]
    private LoadedCapturePlugin Activate(string name, string directory, CapturePluginManifest manifest, string assemblyPath, PluginLoadContext context)
    {
        Assembly assembly;
        try
        {
            assembly = context.LoadFromAssemblyPath(assemblyPath);
        }
        catch (BadImageFormatException ex)
        {
            throw new CapturePluginException(name, directory, $"entry assembly {manifest.Assembly} is not a .NET assembly: {ex.Message}", ex);
        }

        context.ResolvingUnmanagedDll += new NativeLibraryProbe(directory).Resolve;

        // The plugin's reference to the SDK says which contract it was compiled against.
        AssemblyName? sdkReference = assembly.GetReferencedAssemblies().FirstOrDefault(r => string.Equals(r.Name, SharedAssemblies.SdkName, StringComparison.Ordinal));
        if (sdkReference?.Version is not { } referenced)
        {
            throw new CapturePluginException(name, directory, $"{manifest.Assembly} does not reference {SharedAssemblies.SdkName}; it is not a capture plugin");
        }

        var referencedContract = new Version(referenced.Major, referenced.Minor);
        if (!CaptureContract.IsCompatible(CaptureContract.Current, referencedContract, out string? referenceReason))
        {
            throw new CapturePluginException(name, directory, $"{manifest.Assembly} was built against {SharedAssemblies.SdkName} {referenced}: {referenceReason}");
        }

        CheckDependencies(name, directory, assembly, context);
        Type entryType = FindEntryType(name, directory, manifest, assembly);

        ICapturePlugin plugin;
        CapturePluginDescriptor descriptor;
        using (context.EnterContextualReflection())
        {
            try
            {
                plugin = (ICapturePlugin)Activator.CreateInstance(entryType)!;
                descriptor = plugin.Descriptor ?? throw new InvalidOperationException("Descriptor is null");
            }
            catch (Exception ex) when (MissingAssembly(ex) is { } missing)
            {
                throw new CapturePluginException(name, directory, $"missing dependency {missing}: not in the plugin directory and not provided by the host", ex);
            }
            catch (Exception ex)
            {
                Exception cause = ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;
                throw new CapturePluginException(name, directory, $"{entryType.FullName} could not be created: {cause.GetType().Name}: {cause.Message}", cause);
            }
        }

        if (!string.Equals(descriptor.Name, name, StringComparison.Ordinal))
        {
            throw new CapturePluginException(name, directory, $"its descriptor names it '{descriptor.Name}' but plugin.json says '{name}'; they must agree");
        }

        return Accept(name, directory, plugin, descriptor, assembly, context, manifest);
    }

    /// <summary>
    /// The checks every plugin passes, built in or loaded: the contract its descriptor declares,
    /// and its own acceptance of the host's.
    /// </summary>
    private LoadedCapturePlugin Accept(string name, string directory, ICapturePlugin plugin, CapturePluginDescriptor descriptor, Assembly assembly, AssemblyLoadContext context, CapturePluginManifest? manifest)
    {
        if (!CaptureContract.IsCompatible(CaptureContract.Current, descriptor.ContractVersion, out string? descriptorReason))
        {
            throw new CapturePluginException(name, directory, $"its descriptor declares contract {descriptor.ContractVersion}: {descriptorReason}");
        }

        bool accepted;
        string? refusal;
        try
        {
            accepted = plugin.AcceptsHost(CaptureContract.Current, out refusal);
        }
        catch (Exception ex)
        {
            throw new CapturePluginException(name, directory, $"threw while checking the host's contract version: {ex.GetType().Name}: {ex.Message}", ex);
        }

        if (!accepted)
        {
            throw new CapturePluginException(name, directory, $"refuses host contract {CaptureContract.Current.Major}.{CaptureContract.Current.Minor}: {refusal ?? "no reason given"}");
        }

        PluginLog.Loaded(_logger, name, descriptor.PluginVersion, descriptor.ContractVersion, descriptor.Capabilities.ToString(), directory);
        manifest ??= new CapturePluginManifest(name, assembly.GetName().Name + ".dll", descriptor.ContractVersion, plugin.GetType().FullName);
        return new LoadedCapturePlugin(directory, manifest, assembly, plugin, descriptor, context);
    }

    /// <summary>
    /// Loads every assembly the plugin references (and, transitively, those of its private
    /// dependencies) now, so a missing file is reported at load time, by name, rather than as a
    /// <see cref="FileNotFoundException"/> from deep inside a capture later. A shared assembly must
    /// be the host's (the host's copy is shared only when it is at least the version asked for),
    /// and a private one must come from the plugin directory the trust policy checked.
    /// </summary>
    [RequiresUnreferencedCode(AssemblyLoading)]
    [RequiresAssemblyFiles(AssemblyLoading)]
    private static void CheckDependencies(string name, string directory, Assembly entry, AssemblyLoadContext context)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>();
        queue.Enqueue(entry);
        while (queue.Count > 0)
        {
            Assembly current = queue.Dequeue();
            foreach (AssemblyName reference in current.GetReferencedAssemblies())
            {
                if (reference.Name is not { } simple || !visited.Add(simple))
                {
                    continue;
                }

                if (SharedAssemblies.Names.Contains(simple))
                {
                    if (SharedAssemblies.HostVersion(simple) is { } host && reference.Version is { } wanted && wanted > host)
                    {
                        throw new CapturePluginException(name, directory, $"{current.GetName().Name} was built against {simple} {wanted}, newer than the host's {host}; build the plugin against the host's version");
                    }

                    continue;
                }

                Assembly dependency;
                try
                {
                    dependency = context.LoadFromAssemblyName(reference);
                }
                catch (Exception ex) when (ex is FileNotFoundException or FileLoadException)
                {
                    throw new CapturePluginException(name, directory, $"missing dependency {reference.Name} {reference.Version} (referenced by {current.GetName().Name}): not in the plugin directory and not provided by the host", ex);
                }

                if (ReferenceEquals(AssemblyLoadContext.GetLoadContext(dependency), context))
                {
                    if (!dependency.Location.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    {
                        throw new CapturePluginException(name, directory, $"dependency {simple} resolved to {dependency.Location}, outside the plugin directory; a plugin's files must be in its directory");
                    }

                    queue.Enqueue(dependency);
                }
            }
        }
    }

    [RequiresUnreferencedCode(AssemblyLoading)]
    [RequiresAssemblyFiles(AssemblyLoading)]
    private static Type FindEntryType(string name, string directory, CapturePluginManifest manifest, Assembly assembly)
    {
        if (manifest.EntryType is { } entryName)
        {
            Type? type;
            try
            {
                type = assembly.GetType(entryName, throwOnError: false);
            }
            catch (Exception ex) when (MissingAssembly(ex) is { } missing)
            {
                throw new CapturePluginException(name, directory, $"missing dependency {missing} while loading {entryName}", ex);
            }

            if (type is null)
            {
                throw new CapturePluginException(name, directory, $"entry type {entryName} (plugin.json \"entryType\") not found in {manifest.Assembly}");
            }

            return CheckEntryType(name, directory, type);
        }

        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            string? missing = ex.LoaderExceptions.Select(e => e is null ? null : MissingAssembly(e)).FirstOrDefault(m => m is not null);
            throw new CapturePluginException(name, directory, missing is not null
                ? $"missing dependency {missing} while scanning {manifest.Assembly} for ICapturePlugin types"
                : $"types of {manifest.Assembly} cannot be loaded: {ex.LoaderExceptions.FirstOrDefault()?.Message}", ex);
        }

        Type[] candidates = [.. types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICapturePlugin).IsAssignableFrom(t))];
        if (candidates.Length == 0)
        {
            Type? foreign = types.FirstOrDefault(t => t.GetInterfaces().Any(i => string.Equals(i.FullName, typeof(ICapturePlugin).FullName, StringComparison.Ordinal)));
            throw new CapturePluginException(name, directory, foreign is not null
                ? $"{foreign.FullName} implements a different copy of {typeof(ICapturePlugin).FullName} (from {foreign.GetInterfaces().First(i => string.Equals(i.FullName, typeof(ICapturePlugin).FullName, StringComparison.Ordinal)).Assembly.Location}), not the host's"
                : $"{manifest.Assembly} contains no class implementing {typeof(ICapturePlugin).FullName}");
        }

        if (candidates.Length > 1)
        {
            throw new CapturePluginException(name, directory, $"{manifest.Assembly} contains {candidates.Length} ICapturePlugin classes ({string.Join(", ", candidates.Select(t => t.FullName))}); name one in plugin.json \"entryType\"");
        }

        return CheckEntryType(name, directory, candidates[0]);
    }

    [RequiresUnreferencedCode(AssemblyLoading)]
    [RequiresAssemblyFiles(AssemblyLoading)]
    private static Type CheckEntryType(string name, string directory, Type type)
    {
        if (!typeof(ICapturePlugin).IsAssignableFrom(type) || type.IsAbstract)
        {
            throw new CapturePluginException(name, directory, $"entry type {type.FullName} is not a concrete class implementing the host's {typeof(ICapturePlugin).FullName}");
        }

        if (type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new CapturePluginException(name, directory, $"entry type {type.FullName} has no public parameterless constructor");
        }

        return type;
    }

    /// <summary>The name of a missing assembly behind a load failure, or null.</summary>
    internal static string? MissingAssembly(Exception ex)
    {
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case FileNotFoundException { FileName: { } file }:
                    return new AssemblyName(file).Name ?? file;
                case FileLoadException { FileName: { } file }:
                    return new AssemblyName(file).Name ?? file;
                case ReflectionTypeLoadException typeLoad:
                    foreach (Exception? loader in typeLoad.LoaderExceptions)
                    {
                        if (loader is not null && MissingAssembly(loader) is { } name)
                        {
                            return name;
                        }
                    }

                    break;
            }
        }

        return null;
    }
}
