namespace Capture.Benchmarks;

/// <summary>
/// A measurement that is not a BenchmarkDotNet benchmark (a fuzz run, a kernel harness with a
/// sender, a long single pass). Found by reflection and run by name: <c>dotnet run -c Release
/// --project bench/Capture.Benchmarks -- run NAME [args]</c>.
/// </summary>
internal interface IBenchmarkHarness
{
    /// <summary>The name given on the command line.</summary>
    string Name { get; }

    /// <summary>One line for the list.</summary>
    string Description { get; }

    /// <summary>Runs the harness and prints its figures.</summary>
    /// <param name="args">Arguments after the name.</param>
    /// <returns>The process exit code.</returns>
    int Run(string[] args);
}
