namespace Capture.Linux.Xdp.Filter;

/// <summary>An XDP program found on an interface.</summary>
/// <param name="Id">The kernel's program id.</param>
/// <param name="Name">The program's name ("" when it cannot be read).</param>
/// <param name="Mode">The mode it is attached in.</param>
/// <param name="ModeFlag">XDP_FLAGS_* of that mode (to detach it).</param>
internal readonly record struct AttachedXdpProgram(uint Id, string Name, XdpMode Mode, uint ModeFlag);
