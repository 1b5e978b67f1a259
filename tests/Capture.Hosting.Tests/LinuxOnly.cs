// The hosting tests exercise Unix file modes, /proc and Unix sockets: they run on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
