namespace Capture.Abstractions.Tests;

/// <summary>
/// The contract version rule of docs/PLUGINS.md, section 10, computed from the public API baseline:
/// what the contract version must be, given the version <c>PublicAPI.Shipped.txt</c> describes and
/// the lines of <c>PublicAPI.Unshipped.txt</c>.
/// </summary>
internal static class ContractVersionRule
{
    private const string Removed = "*REMOVED*";

    // The version constants change value with every version: their lines say the version moved, not that the contract changed.
    private const string VersionConstant = "const Capture.Abstractions.CaptureContract.";

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
        string[] entries = [.. unshippedLines.Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.Replace(Removed, string.Empty, StringComparison.Ordinal).StartsWith(VersionConstant, StringComparison.Ordinal))];
        if (entries.Any(e => e.StartsWith(Removed, StringComparison.Ordinal)))
        {
            return new Version(shipped.Major + 1, 0);
        }

        return entries.Length > 0 ? new Version(shipped.Major, shipped.Minor + 1) : new Version(shipped.Major, shipped.Minor);
    }
}
