using Capture.Abstractions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Capture.Hosting.Configuration;

/// <summary>
/// Reads Suricata-style YAML (a <c>%YAML 1.1</c> header and <c>---</c> are accepted) into a
/// <see cref="ConfigNode"/> tree in which every node knows its file and line. An <c>include:</c>
/// key (a file or a list of files, relative to the including file) merges the included file's
/// mapping at that level; keys written after it override included ones. An alias copies its
/// anchor's subtree where it is used (every node knows its own path), so the nodes aliases add to a
/// file are limited to <see cref="MaxAliasNodes"/>: nine nested aliases of nine items each (the
/// "billion laughs") would otherwise expand to gigabytes. Nesting is limited to
/// <see cref="MaxDepth"/> levels.
/// </summary>
public static class SuricataYaml
{
    /// <summary>The most nodes aliases may add to one file's tree.</summary>
    internal const int MaxAliasNodes = 100_000;

    /// <summary>The deepest nesting of mappings and lists a file may have.</summary>
    internal const int MaxDepth = 256;

    private const int MaxIncludeDepth = 16;

    /// <summary>Loads a YAML file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The root mapping.</returns>
    /// <exception cref="ConfigurationException">The file is missing, unreadable or malformed; the message names file, line and key.</exception>
    public static ConfigNode Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return LoadFile(Path.GetFullPath(path), string.Empty, includedFrom: null, []);
    }

    /// <summary>Parses YAML text.</summary>
    /// <param name="text">The YAML.</param>
    /// <param name="fileName">The name used in messages and for resolving relative includes.</param>
    /// <returns>The root mapping.</returns>
    /// <exception cref="ConfigurationException">The text is malformed; the message names file, line and key.</exception>
    public static ConfigNode Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        return ParseText(text, fileName, string.Empty, [Path.GetFullPath(fileName)]);
    }

    private static ConfigNode LoadFile(string fullPath, string basePath, ConfigNode? includedFrom, List<string> chain)
    {
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string problem = ex is FileNotFoundException or DirectoryNotFoundException
                ? "configuration file not found"
                : $"configuration file cannot be read: {ex.Message}";
            throw includedFrom is not null
                ? includedFrom.Error($"{problem}: {fullPath}")
                : new ConfigurationException(fullPath, 0, "(file)", problem);
        }

        return ParseText(text, fullPath, basePath, [.. chain, fullPath]);
    }

    private static ConfigNode ParseText(string text, string file, string basePath, List<string> chain)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(text);
            stream.Load(reader);
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports most errors as YamlException with a position; a few (e.g. an
            // unterminated flow list at the end) escape as other exceptions: replaying the events
            // finds where the parser stopped and which key it was in.
            (string key, string? lastKey, int stopLine, int stopColumn) = KeyAtError(text);
            (int line, long column) = ex is YamlException yaml ? ((int)yaml.Start.Line, yaml.Start.Column) : (stopLine, stopColumn);
            string what = ex switch
            {
                YamlException => Describe(ex),
                ArgumentException when ex.Message.Contains("same key", StringComparison.Ordinal) => "duplicate key",
                _ => "the parser stopped here; look for an unterminated quote, [list] or {mapping}",
            };
            string where = lastKey is null ? string.Empty : " (at or just after this key)";
            throw new ConfigurationException(file, line, lastKey ?? key, $"YAML syntax error at column {column}{where}: {what}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return ConfigNode.CreateMapping(basePath, file, 1);
        }

        if (stream.Documents.Count > 1)
        {
            throw new ConfigurationException(file, (int)stream.Documents[1].RootNode.Start.Line, "(document)", "more than one YAML document; expected one");
        }

        YamlNode root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode mapping)
        {
            throw new ConfigurationException(file, (int)root.Start.Line, "(document)", "expected a mapping of sections (key: value) at the top level");
        }

        return ConvertMapping(mapping, basePath, file, 1, new Conversion(chain), 0, copy: false);
    }

    /// <summary>
    /// Converts a node. <paramref name="copy"/>: the node is inside an alias's copy, whose nodes take
    /// the line where the alias is used (their own lines are the anchor's).
    /// </summary>
    private static ConfigNode Convert(YamlNode node, string path, string file, int line, Conversion conversion, int depth, bool copy)
    {
        if (depth > MaxDepth)
        {
            throw new ConfigurationException(file, line, path, $"mappings and lists nested deeper than {MaxDepth} levels");
        }

        if (!conversion.Converted.Add(node))
        {
            // A node met twice came through an alias: the tree gets a copy of it.
            copy = true;
            if (++conversion.AliasNodes > MaxAliasNodes)
            {
                throw new ConfigurationException(file, line, path, $"aliases expand to more than {MaxAliasNodes:N0} nodes (an alias bomb?); use fewer or smaller aliases");
            }
        }

        return node switch
        {
            YamlMappingNode mapping => ConvertMapping(mapping, path, file, line, conversion, depth + 1, copy),
            YamlSequenceNode sequence => ConvertSequence(sequence, path, file, line, conversion, depth + 1, copy),
            YamlScalarNode scalar => ConfigNode.CreateScalar(path, ScalarText(scalar), file, line),
            _ => throw new ConfigurationException(file, line, path, $"unsupported YAML node {node.NodeType}"),
        };
    }

    private static ConfigNode ConvertMapping(YamlMappingNode mapping, string path, string file, int line, Conversion conversion, int depth, bool copy)
    {
        ConfigNode result = ConfigNode.CreateMapping(path, file, line);
        foreach (KeyValuePair<YamlNode, YamlNode> child in mapping.Children)
        {
            int keyLine = copy ? line : (int)child.Key.Start.Line;
            if (child.Key is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                throw new ConfigurationException(file, keyLine, path.Length == 0 ? "(top level)" : path, "expected a plain key name");
            }

            string childPath = path.Length == 0 ? key : $"{path}.{key}";
            ConfigNode value = Convert(child.Value, childPath, file, keyLine, conversion, depth, copy);
            if (string.Equals(key, "include", StringComparison.Ordinal))
            {
                Include(result, value, path, conversion.Chain);
                continue;
            }

            result.Set(key, value);
        }

        return result;
    }

    private static ConfigNode ConvertSequence(YamlSequenceNode sequence, string path, string file, int line, Conversion conversion, int depth, bool copy)
    {
        ConfigNode result = ConfigNode.CreateSequence(path, file, line);
        int index = 0;
        foreach (YamlNode item in sequence.Children)
        {
            // An aliased item's own position is its anchor's: it is where the list is, as far as we know.
            int itemLine = copy || conversion.Converted.Contains(item) ? line : (int)item.Start.Line;
            result.Add(Convert(item, $"{path}.{index}", file, itemLine, conversion, depth, copy));
            index++;
        }

        return result;
    }

    private static void Include(ConfigNode target, ConfigNode include, string path, List<string> chain)
    {
        IEnumerable<ConfigNode> files = include.Kind == ConfigNodeKind.Sequence ? include.Items : [include];
        foreach (ConfigNode fileNode in files)
        {
            if (fileNode.Kind != ConfigNodeKind.Scalar || string.IsNullOrWhiteSpace(fileNode.Value))
            {
                throw fileNode.Error("expected a file name or a list of file names to include");
            }

            string baseDirectory = Path.GetDirectoryName(fileNode.File) ?? Directory.GetCurrentDirectory();
            string fullPath = Path.GetFullPath(Path.Combine(baseDirectory, fileNode.Value.Trim()));
            if (chain.Contains(fullPath, StringComparer.Ordinal))
            {
                throw fileNode.Error($"include loop: {string.Join(" -> ", chain)} -> {fullPath}");
            }

            if (chain.Count >= MaxIncludeDepth)
            {
                throw fileNode.Error($"includes nested deeper than {MaxIncludeDepth} files");
            }

            ConfigNode included = LoadFile(fullPath, path, fileNode, chain);
            foreach (KeyValuePair<string, ConfigNode> entry in included.Entries)
            {
                target.Set(entry.Key, entry.Value);
            }
        }
    }

    /// <summary>A YAML null (<c>key:</c>, <c>~</c>, <c>null</c>) becomes a null value; everything else keeps its text.</summary>
    private static string? ScalarText(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL" ? null : scalar.Value;

    private static string Describe(Exception ex)
    {
        // YamlDotNet prefixes "(Line: a, Col: b, Idx: c) - (Line: ...): "; we say file and line ourselves.
        string message = ex.Message;
        int marker = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && marker > 0)
        {
            message = message[(marker + 3)..];
        }

        if (ex.InnerException is { } inner && !string.Equals(inner.Message, message, StringComparison.Ordinal))
        {
            message = $"{message} ({inner.Message})";
        }

        return message.TrimEnd('.');
    }

    /// <summary>
    /// Replays the text through the event parser to find which key it was inside when the syntax
    /// error happened: the enclosing mapping's path, and the last key read.
    /// </summary>
    private static (string Key, string? LastKey, int Line, int Column) KeyAtError(string text)
    {
        var frames = new List<Frame>();
        string? lastKey = null;
        int line = 1;
        int column = 1;
        try
        {
            var parser = new Parser(new StringReader(text));
            while (parser.MoveNext())
            {
                line = (int)parser.Current!.End.Line;
                column = (int)parser.Current.End.Column;
                switch (parser.Current)
                {
                    case MappingStart:
                        frames.Add(new Frame(IsMapping: true, NameInParent(frames)));
                        break;
                    case SequenceStart:
                        frames.Add(new Frame(IsMapping: false, NameInParent(frames)));
                        break;
                    case MappingEnd or SequenceEnd:
                        frames.RemoveAt(frames.Count - 1);
                        ValueDone(frames);
                        break;
                    case Scalar scalar:
                        if (frames.Count > 0 && frames[^1] is { IsMapping: true, ExpectingKey: true } frame)
                        {
                            frame.Key = scalar.Value;
                            frame.ExpectingKey = false;
                            lastKey = JoinPath(frames, includeCurrentKey: true);
                        }
                        else
                        {
                            ValueDone(frames);
                        }

                        break;
                    case AnchorAlias:
                        ValueDone(frames);
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            // Expected: this is where the loader failed.
            line = (int)ex.Start.Line;
            column = (int)ex.Start.Column;
        }
        catch (InvalidOperationException)
        {
            // The same scanner failure the loader hit; the last good event says where.
        }

        string enclosing = JoinPath(frames, includeCurrentKey: false);
        return (enclosing.Length == 0 ? "(top level)" : enclosing, lastKey, line, column);
    }

    private static string? NameInParent(List<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return null;
        }

        Frame parent = frames[^1];
        return parent.IsMapping ? parent.Key : parent.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void ValueDone(List<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return;
        }

        Frame parent = frames[^1];
        if (parent.IsMapping)
        {
            parent.ExpectingKey = true;
        }
        else
        {
            parent.Index++;
        }
    }

    private static string JoinPath(List<Frame> frames, bool includeCurrentKey)
    {
        var parts = new List<string>();
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames[i].NameInParent is { } name)
            {
                parts.Add(name);
            }
        }

        if (includeCurrentKey && frames.Count > 0 && frames[^1] is { IsMapping: true, Key: { } key })
        {
            parts.Add(key);
        }

        return string.Join('.', parts);
    }

    /// <summary>One file's conversion: its include chain, the YAML nodes converted and the nodes aliases added.</summary>
    private sealed class Conversion(List<string> chain)
    {
        public List<string> Chain { get; } = chain;

        public HashSet<YamlNode> Converted { get; } = new(ReferenceEqualityComparer.Instance);

        public int AliasNodes { get; set; }
    }

    private sealed class Frame(bool IsMapping, string? NameInParent)
    {
        public bool IsMapping { get; } = IsMapping;

        public string? NameInParent { get; } = NameInParent;

        public bool ExpectingKey { get; set; } = true;

        public string? Key { get; set; }

        public int Index { get; set; }
    }
}
