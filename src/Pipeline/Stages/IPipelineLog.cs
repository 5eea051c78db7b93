namespace Repro.Pipeline.Stages;

/// <summary>Where the engine reports. Status lines are what a user sees at minimal verbosity.</summary>
public interface IPipelineLog
{
    void Status(string message);
    void Detail(string message);
    void Warning(string code, string message);
}
