namespace Repro.Runtime.Collectives;

/// <summary>An MPI call returned an error code (MPI_ERRORS_RETURN is set on MPI_COMM_WORLD so that errors come back here).</summary>
public sealed class MpiException : Exception
{
    public MpiException(string function, int errorCode, string errorText)
        : base($"{function} failed with MPI error {errorCode}: {errorText}")
    {
        Function = function;
        ErrorCode = errorCode;
    }

    public string Function { get; }
    public int ErrorCode { get; }
}
