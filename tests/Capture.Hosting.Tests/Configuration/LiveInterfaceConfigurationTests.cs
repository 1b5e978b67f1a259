using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Hosting.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Hosting.Tests.Configuration;

public sealed class LiveInterfaceConfigurationTests : IDisposable
{
    private readonly YamlFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Interface_without_any_section_gets_code_defaults()
    {
        LiveInterfaceOptions eth0 = Assert.Single(LiveInterfaceConfiguration.Read(ConfigNode.CreateMapping(), "af-packet", "eth0", null));

        Assert.Equal("eth0", eth0.Interface);
        Assert.Equal(0, eth0.Threads);
        Assert.Equal(1, eth0.ClusterId);
        Assert.Equal(LiveInterfaceClusterType.Flow, eth0.ClusterType);
        Assert.True(eth0.Defrag);
        Assert.True(eth0.TpacketV3);
        Assert.False(eth0.MmapLocked);
        Assert.Equal(0, eth0.RingSize);
        Assert.Equal(Environment.SystemPageSize << 5, eth0.BlockSize);
        Assert.Equal(10, eth0.BlockTimeout);
        Assert.Equal(ChecksumMode.Kernel, eth0.ChecksumChecks);
        Assert.Equal(LiveInterfaceCopyMode.None, eth0.CopyMode);
        Assert.False(eth0.Bypass);
        Assert.Equal(LiveInterfaceXdpMode.Soft, eth0.XdpMode);
        Assert.True(eth0.UsePercpuHash);
        Assert.False(eth0.PinnedMaps);
        Assert.Empty(eth0.XdpCpuRedirect);
        Assert.Equal(32768, eth0.BypassMapSize);
        Assert.False(eth0.XdpReplace);
        Assert.True(eth0.XdpBypassRules);
        Assert.Empty(LiveInterfaceConfiguration.Read(ConfigNode.CreateMapping(), "af-packet", null, null));
    }

    [Fact]
    public void Every_key_falls_back_to_the_default_entry_and_an_unlisted_interface_takes_it_whole()
    {
        string path = _files.Write("af.yaml", """
            af-packet:
              - interface: eth0
                threads: 4
                cluster-id: 99
                xdp-mode: driver
              - interface: eth1
                cluster-type: cluster_qm
              - interface: default
                threads: auto
                cluster-type: cluster_cpu
                bypass: yes
                xdp-filter-file: /usr/libexec/xdp_filter.bpf
                xdp-mode: hw
                use-percpu-hash: no
                ring-size: 4096
                block-size: 1mb
                block-timeout: 20
                checksum-checks: no
                copy-mode: tap
                copy-iface: peer0
                xdp-cpu-redirect: ["1-3", "5"]
                bypass-map-size: 65536
                xdp-replace: yes
                xdp-bypass-rules: no
                pinned-maps: yes
                pinned-maps-name: flow_table_v4
                bpf-filter: "not port 22"
            """);
        ConfigNode root = SuricataYaml.Load(path);

        IReadOnlyList<LiveInterfaceOptions> all = LiveInterfaceConfiguration.Read(root, "af-packet", null, null);

        Assert.Equal(["eth0", "eth1"], all.Select(i => i.Interface));
        LiveInterfaceOptions eth0 = all[0];
        Assert.Equal(4, eth0.Threads);
        Assert.Equal(99, eth0.ClusterId);
        Assert.Equal(LiveInterfaceClusterType.Cpu, eth0.ClusterType);
        Assert.Equal(LiveInterfaceXdpMode.Driver, eth0.XdpMode);
        Assert.True(eth0.Bypass);
        Assert.Equal("/usr/libexec/xdp_filter.bpf", eth0.XdpFilterFile);
        Assert.False(eth0.UsePercpuHash);
        Assert.Equal(4096, eth0.RingSize);
        Assert.Equal(1 << 20, eth0.BlockSize);
        Assert.Equal(20, eth0.BlockTimeout);
        Assert.Equal(ChecksumMode.None, eth0.ChecksumChecks);
        Assert.Equal(LiveInterfaceCopyMode.Tap, eth0.CopyMode);
        Assert.Equal("peer0", eth0.CopyInterface);
        Assert.False(eth0.TpacketV3);
        Assert.False(eth0.Defrag);
        Assert.Equal([1, 2, 3, 5], eth0.XdpCpuRedirect);
        Assert.Equal(65536, eth0.BypassMapSize);
        Assert.True(eth0.XdpReplace);
        Assert.False(eth0.XdpBypassRules);
        Assert.True(eth0.PinnedMaps);
        Assert.Equal("flow_table_v4", eth0.PinnedMapsName);
        Assert.Equal("not port 22", eth0.BpfFilter);
        Assert.Equal($"{path}:2", eth0.Location);

        LiveInterfaceOptions eth1 = all[1];
        Assert.Equal(0, eth1.Threads);
        Assert.Equal(1, eth1.ClusterId);
        Assert.Equal(LiveInterfaceClusterType.QueueMapping, eth1.ClusterType);
        Assert.Equal(LiveInterfaceXdpMode.Hardware, eth1.XdpMode);

        LiveInterfaceOptions eth7 = Assert.Single(LiveInterfaceConfiguration.Read(root, "af-packet", "eth7", null));
        Assert.Equal("eth7", eth7.Interface);
        Assert.Equal(LiveInterfaceClusterType.Cpu, eth7.ClusterType);
        Assert.Equal(LiveInterfaceXdpMode.Hardware, eth7.XdpMode);
        Assert.Equal(65536, eth7.BypassMapSize);
        Assert.Equal($"{path}:8", eth7.Location);
    }

    [Fact]
    public void Netronome_section_has_the_same_shape()
    {
        ConfigNode root = SuricataYaml.Parse("netronome:\n  - interface: nfp0\n    no-percpu-hash: yes\n    xdp-mode: hw\n", "n.yaml");
        LiveInterfaceOptions nfp = Assert.Single(LiveInterfaceConfiguration.Read(root, "netronome", null, null));
        Assert.False(nfp.UsePercpuHash);
        Assert.Equal(LiveInterfaceXdpMode.Hardware, nfp.XdpMode);
    }

    [Fact]
    public void Bypass_makes_a_frame_ring_the_default_and_an_explicit_tpacket_v3_wins()
    {
        ConfigNode root = SuricataYaml.Parse("""
            af-packet:
              - interface: eth0
                bypass: yes
              - interface: eth1
                bypass: yes
                tpacket-v3: yes
              - interface: eth2
                tpacket-v3: no
                v2-block-size: 64kb
            """, "v2.yaml");
        IReadOnlyList<LiveInterfaceOptions> all = LiveInterfaceConfiguration.Read(root, "af-packet", null, null);
        Assert.False(all[0].TpacketV3);
        Assert.True(all[1].TpacketV3);
        Assert.False(all[2].TpacketV3);
        Assert.Equal(65536, all[2].V2BlockSize);
    }

    [Fact]
    public void Percpu_keys_agreeing_are_accepted_and_the_interface_level_wins_over_default()
    {
        ConfigNode root = SuricataYaml.Parse("""
            af-packet:
              - interface: eth0
                use-percpu-hash: no
                no-percpu-hash: yes
              - interface: eth1
                no-percpu-hash: no
              - interface: default
                use-percpu-hash: no
            """, "p.yaml");
        IReadOnlyList<LiveInterfaceOptions> all = LiveInterfaceConfiguration.Read(root, "af-packet", null, null);
        Assert.False(all[0].UsePercpuHash);
        Assert.True(all[1].UsePercpuHash);
    }

    [Fact]
    public void Contradictory_percpu_keys_are_rejected_naming_both_places()
    {
        string path = _files.Write("contra.yaml", """
            af-packet:
              - interface: eth0
                use-percpu-hash: yes
                threads: 2
                no-percpu-hash: yes
            """);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => LiveInterfaceConfiguration.Read(SuricataYaml.Load(path), "af-packet", null, null));

        Assert.StartsWith($"{path}:5: af-packet.0.no-percpu-hash: ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"use-percpu-hash: yes at {path}:3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("threads: many", 3, "af-packet.0.threads", "'many' is not allowed; expected an integer 1..1024 or 'auto'")]
    [InlineData("threads: 5000", 3, "af-packet.0.threads", "5000 is out of range")]
    [InlineData("cluster-type: cluster_magic", 3, "af-packet.0.cluster-type", "expected one of: cluster_flow, cluster_cpu, cluster_qm, cluster_random, cluster_round_robin, cluster_ebpf")]
    [InlineData("cluster-id: 70000", 3, "af-packet.0.cluster-id", "0..65535")]
    [InlineData("block-size: 5000", 3, "af-packet.0.block-size", "not a multiple of the page size")]
    [InlineData("v2-block-size: 5000", 3, "af-packet.0.v2-block-size", "not a multiple of the page size")]
    [InlineData("xdp-mode: turbo", 3, "af-packet.0.xdp-mode", "expected one of: soft, driver, hw")]
    [InlineData("checksum-checks: always", 3, "af-packet.0.checksum-checks", "expected one of: kernel, yes, no, auto")]
    [InlineData("bypass: sometimes", 3, "af-packet.0.bypass", "expected yes or no")]
    [InlineData("copy-mode: ips", 3, "af-packet.0.copy-mode", "needs 'copy-iface")]
    [InlineData("copy-iface: eth0\n    copy-mode: ips", 3, "af-packet.0.copy-iface", "must name another interface")]
    [InlineData("xdp-cpu-redirect: [\"3-1\"]", 3, "af-packet.0.xdp-cpu-redirect.0", "'3-1' is not allowed")]
    [InlineData("bypass-map-size: 0", 3, "af-packet.0.bypass-map-size", "out of range")]
    [InlineData("use-percpu-hash: [1]", 3, "af-packet.0.use-percpu-hash", "expected a single value")]
    public void Bad_interface_value_names_file_line_key_and_what_is_allowed(string setting, int line, string key, string allowed)
    {
        string path = _files.Write("bad-af.yaml", $"af-packet:\n  - interface: eth0\n    {setting}\n");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => LiveInterfaceConfiguration.Read(SuricataYaml.Load(path), "af-packet", null, null));

        Assert.StartsWith($"{path}:{line}: {key}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_value_in_the_default_entry_is_reported_where_it_is_written()
    {
        string path = _files.Write("bad-default.yaml", "af-packet:\n  - interface: eth0\n  - interface: default\n    ring-size: huge\n");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => LiveInterfaceConfiguration.Read(SuricataYaml.Load(path), "af-packet", "eth0", null));
        Assert.StartsWith($"{path}:4: af-packet.1.ring-size: 'huge' is not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Structural_errors_are_named()
    {
        Assert.Contains("af-packet: expected a list", Assert.Throws<ConfigurationException>(() =>
            LiveInterfaceConfiguration.Read(SuricataYaml.Parse("af-packet:\n  interface: eth0\n", "s.yaml"), "af-packet", null, null)).Message, StringComparison.Ordinal);
        Assert.Contains("entry has no 'interface' key", Assert.Throws<ConfigurationException>(() =>
            LiveInterfaceConfiguration.Read(SuricataYaml.Parse("af-packet:\n  - threads: 2\n", "s.yaml"), "af-packet", null, null)).Message, StringComparison.Ordinal);
        Assert.Contains("interface 'eth0' is listed twice; the first entry is at s.yaml:2", Assert.Throws<ConfigurationException>(() =>
            LiveInterfaceConfiguration.Read(SuricataYaml.Parse("af-packet:\n  - interface: eth0\n  - interface: eth0\n", "s.yaml"), "af-packet", null, null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_and_deprecated_keys_warn_from_the_declarations_and_a_deprecated_value_from_the_reader()
    {
        string path = _files.Write("warn-af.yaml", "af-packet:\n  - interface: eth0\n    thread: 4\n    use-mmap: yes\n    cluster-type: cluster_rollover\n");
        ConfigNode root = SuricataYaml.Load(path);
        var warnings = new List<string>();
        LiveInterfaceOptions eth0 = Assert.Single(LiveInterfaceConfiguration.Read(root, "af-packet", null, warnings.Add));

        Assert.Equal(LiveInterfaceClusterType.Flow, eth0.ClusterType);
        Assert.StartsWith($"{path}:5: af-packet.0.cluster-type: cluster_rollover is deprecated", Assert.Single(warnings), StringComparison.Ordinal);

        // Keys are the host's to check, against the section the plugin declares.
        HostConfiguration host = HostConfiguration.Bind(root, NullLogger.Instance, [LiveInterfaceConfiguration.Declare("af-packet", "test")]);
        Assert.Equal(2, host.Warnings.Count);
        Assert.Equal($"{path}:3: af-packet.0.thread: unknown key 'thread' ignored; did you mean threads?", host.Warnings[0]);
        Assert.StartsWith($"{path}:4: af-packet.0.use-mmap: 'use-mmap' was removed", host.Warnings[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    threads: many\n", "af-packet.0.threads", "'many' is not allowed; expected an integer 1..1024 or auto")]
    [InlineData("    threads: 2000\n", "af-packet.0.threads", "2000 is out of range")]
    [InlineData("    cluster-type: cluster_magic\n", "af-packet.0.cluster-type", "expected one of: cluster_flow, cluster_cpu, cluster_qm")]
    [InlineData("    xdp-mode: fast\n", "af-packet.0.xdp-mode", "expected one of: soft, driver, hw")]
    [InlineData("    bypass: perhaps\n", "af-packet.0.bypass", "expected yes or no")]
    public void A_bad_value_in_a_declared_section_names_the_key_and_what_is_allowed(string line, string key, string allowed)
    {
        ConfigNode root = SuricataYaml.Parse("af-packet:\n  - interface: eth0\n" + line, "v.yaml");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() =>
            HostConfiguration.Bind(root, NullLogger.Instance, [LiveInterfaceConfiguration.Declare("af-packet", "test")]));
        Assert.StartsWith($"v.yaml:3: {key}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Xdp_chain_is_read_as_a_root_or_as_a_slot_and_its_keys_are_declared()
    {
        ConfigNode root = SuricataYaml.Parse("""
            af-packet:
              - interface: eth0
                xdp-chain:
                  pin: /sys/fs/bpf/chain/eth0
                  next: [/sys/fs/bpf/ddos/prog, /sys/fs/bpf/lb/prog]
              - interface: eth1
                xdp-chain: { join: /sys/fs/bpf/root/eth1_next, join-index: 3 }
              - interface: eth2
            """, "c.yaml");
        HostConfiguration host = HostConfiguration.Bind(root, NullLogger.Instance, [LiveInterfaceConfiguration.Declare("af-packet", "test")]);
        Assert.Empty(host.Warnings);

        IReadOnlyList<LiveInterfaceOptions> all = LiveInterfaceConfiguration.Read(root, "af-packet", null, null);
        Assert.Equal("/sys/fs/bpf/chain/eth0", all[0].XdpChainPin);
        Assert.Equal(["/sys/fs/bpf/ddos/prog", "/sys/fs/bpf/lb/prog"], all[0].XdpChainNext);
        Assert.Null(all[0].XdpChainJoin);
        Assert.Null(all[1].XdpChainPin);
        Assert.Equal("/sys/fs/bpf/root/eth1_next", all[1].XdpChainJoin);
        Assert.Equal(3, all[1].XdpChainJoinIndex);
        Assert.Null(all[2].XdpChainPin);
        Assert.Null(all[2].XdpChainJoin);
        Assert.Empty(all[2].XdpChainNext);
    }

    [Theory]
    [InlineData("    xdp-chain: /sys/fs/bpf/x\n", "af-packet.0.xdp-chain", "expected a mapping")]
    [InlineData("    xdp-chain: { next: [/sys/fs/bpf/p] }\n", "af-packet.0.xdp-chain", "sets neither pin")]
    [InlineData("    xdp-chain: { pin: /sys/fs/bpf/a, join-index: 2 }\n", "af-packet.0.xdp-chain.join-index", "join-index needs join")]
    [InlineData("    xdp-chain: { join: /sys/fs/bpf/a, join-index: -1 }\n", "af-packet.0.xdp-chain.join-index", "expected an integer 0..1048576")]
    public void A_bad_xdp_chain_names_the_key(string line, string key, string problem)
    {
        ConfigNode root = SuricataYaml.Parse("af-packet:\n  - interface: eth0\n" + line, "x.yaml");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => LiveInterfaceConfiguration.Read(root, "af-packet", null, null));
        Assert.StartsWith($"x.yaml:3: {key}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_interfaces_on_one_xdp_chain_pin_are_refused_naming_both_and_the_path()
    {
        ConfigNode explicitPins = SuricataYaml.Parse("""
            af-packet:
              - interface: eth0
                xdp-chain: { pin: /sys/fs/bpf/chain/shared }
              - interface: eth1
                xdp-chain: { pin: /sys/fs/bpf/chain/eth1 }
              - interface: eth2
                xdp-chain: { pin: /sys/fs/bpf//chain/shared }
            """, "p.yaml");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => LiveInterfaceConfiguration.Read(explicitPins, "af-packet", null, null));
        Assert.StartsWith("p.yaml:7: af-packet.2.xdp-chain.pin: /sys/fs/bpf//chain/shared is the program array of both eth0 and eth2 (eth0's is set at p.yaml:3)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Give each interface a pin of its own (e.g. /sys/fs/bpf/chain/eth2)", error.Message, StringComparison.Ordinal);

        ConfigNode fromDefault = SuricataYaml.Parse("""
            af-packet:
              - interface: default
                xdp-chain: { pin: /sys/fs/bpf/chain/all }
              - interface: eth0
              - interface: eth1
            """, "d.yaml");
        error = Assert.Throws<ConfigurationException>(() => LiveInterfaceConfiguration.Read(fromDefault, "af-packet", null, null));
        Assert.StartsWith("d.yaml:3: af-packet.0.xdp-chain.pin: /sys/fs/bpf/chain/all is the program array of both eth0 and eth1 (the 'default' entry sets it for both)", error.Message, StringComparison.Ordinal);

        // One interface at a time (--af-packet=eth0) takes the default entry alone: nothing is shared.
        Assert.Equal("/sys/fs/bpf/chain/all", Assert.Single(LiveInterfaceConfiguration.Read(fromDefault, "af-packet", "eth0", null)).XdpChainPin);
    }

    [Fact]
    public void An_unknown_key_in_xdp_chain_warns_with_its_path()
    {
        ConfigNode root = SuricataYaml.Parse("af-packet:\n  - interface: eth0\n    xdp-chain:\n      pin: /sys/fs/bpf/a\n      nxt: [/sys/fs/bpf/p]\n", "u.yaml");
        HostConfiguration host = HostConfiguration.Bind(root, NullLogger.Instance, [LiveInterfaceConfiguration.Declare("af-packet", "test")]);
        Assert.StartsWith("u.yaml:5: af-packet.0.xdp-chain.nxt: unknown key 'nxt' ignored", Assert.Single(host.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void The_declared_integer_ranges_are_the_ones_the_reader_enforces()
    {
        ConfigKey[] integers = [.. LiveInterfaceConfiguration.Keys.Where(k => k.Type == ConfigValueType.Integer && k.IgnoredWarning is null)];
        Assert.Contains(integers, k => k.Name == "threads");
        foreach (ConfigKey key in integers)
        {
            IReadOnlyList<LiveInterfaceOptions> Read(long value) => LiveInterfaceConfiguration.Read(
                SuricataYaml.Parse($"af-packet:\n  - interface: eth0\n    {key.Name}: {value}\n", "r.yaml"), "af-packet", null, null);

            Assert.Single(Read(key.Minimum!.Value));
            Assert.Single(Read(key.Maximum!.Value));
            Assert.Throws<ConfigurationException>(() => Read(key.Minimum.Value - 1));
            Assert.Throws<ConfigurationException>(() => Read(key.Maximum.Value + 1));
        }
    }

    [Fact]
    public void Cluster_ids_are_numbered_for_interfaces_without_one()
    {
        ConfigNode root = SuricataYaml.Parse("af-packet:\n  - interface: a\n  - interface: b\n    cluster-id: 50\n  - interface: c\n", "c.yaml");
        Assert.Equal([1, 50, 2], LiveInterfaceConfiguration.Read(root, "af-packet", null, null).Select(i => i.ClusterId));
    }
}
