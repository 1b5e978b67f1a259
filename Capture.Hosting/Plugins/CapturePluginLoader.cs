using System.Reflection;
using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Plugins;

/// <summary>
/// Finds capture plugins on disk, loads each in its own load context, checks the contract version
/// both ways and lets the plugins register their services. Every failure is a
/// <see cref="CapturePluginException"/> naming the plugin and the cause.
/// </summary>
public sealed class CapturePluginLoader
{
    private const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private readonly CapturePluginLoadOptions _options;
    private readonly ILogger _logger;
    private readonly List<string> _searched = [];
    private bool _discovering;

    /// <summary>Creates a loader.</summary>
    /// <param name="options">Where to look and how to load.</param>
    public CapturePluginLoader(CapturePluginLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<CapturePluginLoader>();
    }

    /// <summary>The plugin roots searched so far (for messages).</summary>
    public IReadOnlyList<string> SearchedRoots => _searched;

    /// <summary>Finds, loads and checks every plugin of the configured roots; a duplicate name keeps the higher version.</summary>
    /// <returns>The plugins, not yet registered.</returns>
    /// <exception cref="CapturePluginException">A plugin cannot be loaded.</exception>
    public IReadOnlyList<LoadedCapturePlugin> Load()
    {
        var loaded = new List<LoadedCapturePlugin>();
        _discovering = true;
        try
        {
            foreach ((string directory, string root) in Discover())
            {
                loaded.Add(LoadPlugin(directory, root));
            }
        }
        finally
        {
            _discovering = false;
        }

        return ResolveDuplicates(loaded);
    }

    /// <summary>Loads, checks and activates the plugin of one directory.</summary>
    /// <param name="pluginDirectory">A directory with a <c>plugin.json</c>.</param>
    /// <returns>The plugin, not yet registered.</returns>
    /// <exception cref="CapturePluginException">The plugin cannot be loaded.</exception>
    public LoadedCapturePlugin LoadPlugin(string pluginDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginDirectory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(pluginDirectory));
        string parent = Path.GetDirectoryName(full) ?? full;
        if (!_searched.Contains(parent, StringComparer.Ordinal))
        {
            _searched.Add(parent);
        }

        return LoadPlugin(full, parent);
    }

    /// <summary>
    /// Lets each plugin register its services into <paramref name="services"/> and checks that it
    /// registered an <see cref="ICaptureSourceFactory"/> keyed by its name.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="plugins">Plugins from <see cref="Load"/>.</param>
    /// <returns>A catalog of the plugins (also registered as a singleton).</returns>
    /// <exception cref="CapturePluginException">A plugin threw or registered nothing.</exception>
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

        var catalog = new CapturePluginCatalog(plugins, [.. _searched]);
        services.AddSingleton(catalog);
        return catalog;
    }

    private IEnumerable<(string Directory, string Root)> Discover()
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

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string rawRoot, bool required) in roots)
        {
            string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rawRoot));
            if (!Directory.Exists(root))
            {
                if (required)
                {
                    throw new CapturePluginException(null, root, "plugin directory does not exist");
                }

                PluginLog.DefaultRootMissing(_logger, root);
                continue;
            }

            if (!_searched.Contains(root, StringComparer.Ordinal))
            {
                _searched.Add(root);
            }

            PluginLog.SearchingRoot(_logger, root);
            if (File.Exists(Path.Combine(root, CapturePluginManifest.FileName)))
            {
                if (seen.Add(root))
                {
                    yield return (root, root);
                }

                continue;
            }

            foreach (string directory in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            {
                if (!File.Exists(Path.Combine(directory, CapturePluginManifest.FileName)))
                {
                    PluginLog.SkippingDirectory(_logger, directory);
                    continue;
                }

                if (seen.Add(directory))
                {
                    yield return (directory, root);
                }
            }
        }
    }

    private LoadedCapturePlugin LoadPlugin(string directory, string root)
    {
        string dirName = Path.GetFileName(directory);
        if (!Directory.Exists(directory))
        {
            throw new CapturePluginException(dirName, directory, "plugin directory does not exist");
        }

        CheckPermissions(dirName, directory, directory, "plugin directory", allowSticky: false);
        if (!string.Equals(root, directory, StringComparison.Ordinal))
        {
            // A root others can write could gain a plugin directory of theirs; a sticky one
            // (like /tmp) cannot have ours renamed, but the discovery in Load() still refuses it.
            CheckPermissions(dirName, directory, root, "plugins root", allowSticky: !_discovering);
        }
        else if (Path.GetDirectoryName(directory) is { } parent)
        {
            // A plugin directory named directly: whoever can write its parent can swap it.
            CheckPermissions(dirName, directory, parent, "parent directory", allowSticky: true);
        }

        CapturePluginManifest manifest = CapturePluginManifest.Read(directory);
        string name = manifest.Name;
        CheckPermissions(name, directory, Path.Combine(directory, CapturePluginManifest.FileName), "manifest", allowSticky: false);
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

        CheckPermissions(name, directory, assemblyPath, "entry assembly", allowSticky: false);

        PluginLoadContext context;
        try
        {
            context = new PluginLoadContext(name, assemblyPath, SharedAssemblies.HostContext, SharedAssemblies.Names, _options.Collectible);
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
        return new LoadedCapturePlugin(directory, manifest, assembly, plugin, descriptor, context);
    }

    /// <summary>
    /// Loads every assembly the plugin references (and, transitively, those of its private
    /// dependencies) now, so a missing file is reported at load time, by name, rather than as a
    /// <see cref="FileNotFoundException"/> from deep inside a capture later.
    /// </summary>
    private static void CheckDependencies(string name, string directory, Assembly entry, PluginLoadContext context)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>();
        queue.Enqueue(entry);
        while (queue.Count > 0)
        {
            Assembly current = queue.Dequeue();
            foreach (AssemblyName reference in current.GetReferencedAssemblies())
            {
                if (reference.Name is not { } simple || context.IsShared(simple) || !visited.Add(simple))
                {
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

                if (ReferenceEquals(System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(dependency), context))
                {
                    queue.Enqueue(dependency);
                }
            }
        }
    }

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

    private IReadOnlyList<LoadedCapturePlugin> ResolveDuplicates(List<LoadedCapturePlugin> loaded)
    {
        var result = new List<LoadedCapturePlugin>();
        foreach (IGrouping<string, LoadedCapturePlugin> group in loaded.GroupBy(p => p.Name, StringComparer.Ordinal))
        {
            LoadedCapturePlugin[] ordered = [.. group.OrderByDescending(p => p.Descriptor.PluginVersion)];
            LoadedCapturePlugin winner = ordered[0];
            for (int i = 1; i < ordered.Length; i++)
            {
                LoadedCapturePlugin loser = ordered[i];
                if (loser.Descriptor.PluginVersion == winner.Descriptor.PluginVersion)
                {
                    throw new CapturePluginException(winner.Name, loser.Directory, $"is loaded twice with the same version {winner.Descriptor.PluginVersion}, from {winner.Directory} and {loser.Directory}; remove one");
                }

                PluginLog.Replaced(_logger, winner.Name, winner.Descriptor.PluginVersion, winner.Directory, loser.Descriptor.PluginVersion, loser.Directory);
                if (loser.LoadContext.IsCollectible)
                {
                    loser.LoadContext.Unload();
                }
            }

            result.Add(winner);
        }

        return result;
    }

    /// <summary>Refuses a path that users other than the owner can write: anyone could swap the code we run.</summary>
    private static void CheckPermissions(string name, string directory, string path, string what, bool allowSticky)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOtherWrite) != 0 && !(allowSticky && (mode & UnixFileMode.StickyBit) != 0))
        {
            string who = (mode & UnixFileMode.OtherWrite) != 0 ? "all users" : "its group";
            throw new CapturePluginException(name, directory, $"{what} {path} is writable by {who} (mode {Convert.ToString((int)mode, 8)}); refusing to load code others can replace. Run: chmod go-w {path}");
        }
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
