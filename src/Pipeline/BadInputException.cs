namespace Repro;

/// <summary>
/// Input that the user must fix: a missing or malformed file, an out-of-range option, a config
/// that disagrees with a checkpoint. The message is one line that names the file or option and
/// the cause; the CLI prints it as is and exits with code 2.
/// </summary>
public sealed class BadInputException : Exception
{
    public BadInputException(string message) : base(message) { }
    public BadInputException(string message, Exception inner) : base(message, inner) { }
}
