using Spectre.Console;
using Spectre.Console.Cli;

namespace Repro.Cli;

/// <summary>The one place that turns exceptions into a one-line message and an exit code.</summary>
public static class CliErrors
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            (int code, string message) = Classify(e);
            Console.Error.WriteLine($"repro: error: {message}");
            return code;
        }
    }

    public static (int Code, string Message) Classify(Exception e)
    {
        return e switch
        {
            BadInputException b => (BadInput, OneLine(b.Message)),
            CommandParseException p => (BadInput, OneLine(p.Message)),
            CommandRuntimeException r => (BadInput, OneLine(r.Message)),
            FileNotFoundException f => (BadInput, OneLine($"{f.FileName}: file not found")),
            DirectoryNotFoundException d => (BadInput, OneLine(d.Message)),
            _ => (Failure, OneLine($"{e.GetType().Name}: {e.Message}")),
        };
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
