namespace Capture.Abstractions.Tests;

/// <summary>
/// The contract version rule of docs/PLUGINS.md, section 10, computed from the public API baseline:
/// what the contract version must be, given the version <c>PublicAPI.Shipped.txt</c> describes and
/// the lines of <c>PublicAPI.Unshipped.txt</c>.
/// </summary>
internal static class ContractVersionRule
{
    private const string Removed = "*REMOVED*";

    /// <summary>The contract version the baseline calls for.</summary>
    /// <param name="shipped">The contract version of <c>PublicAPI.Shipped.txt</c>.</param>
    /// <param name="unshippedLines">The lines of <c>PublicAPI.Unshipped.txt</c>.</param>
    /// <returns>
    /// A removed or changed member (a <c>*REMOVED*</c> line; a changed signature is one removed and
    /// one added) calls for the next major version; added members alone for the next minor version;
    /// no change for the shipped version itself.
    /// </returns>
    public static Version Required(Version shipped, IEnumerable<string> unshippedLines)
    {
        // CaptureContract.Major/Minor are the version itself: raising them is the bump, not a change of a member.
        string[] entries = [.. unshippedLines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !IsVersionConstant(l))];
        if (entries.Any(e => e.StartsWith(Removed, StringComparison.Ordinal)))
        {
            return new Version(shipped.Major + 1, 0);
        }

        return entries.Length > 0 ? new Version(shipped.Major, shipped.Minor + 1) : new Version(shipped.Major, shipped.Minor);
    }

    private static bool IsVersionConstant(string line)
    {
        string member = line.StartsWith(Removed, StringComparison.Ordinal) ? line[Removed.Length..] : line;
        return member.StartsWith("const Capture.Abstractions.CaptureContract.Major = ", StringComparison.Ordinal)
            || member.StartsWith("const Capture.Abstractions.CaptureContract.Minor = ", StringComparison.Ordinal);
    }
}
