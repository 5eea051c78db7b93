// Repro's Cake entry point. The parts live in build/*.cake; this file only wires them.
//   dotnet cake --target=PreciseBn [--experiment=tiny] [--samples=4096] …   (--target=Help lists everything)
#load "build/arguments.cake"
#load "build/parameters.cake"
#load "build/tasks.cake"

Setup<BuildParameters>(context => BuildParameters.Create(context));

// Every experiment target ends with the table of what its build did, also when a stage failed.
Teardown<BuildParameters>((context, p) =>
{
    if (p is null)
        return; // Setup failed: bad arguments, nothing ran
    StageSummary.Print(context, $"{p.Experiment.Name}: stages of this run", StageSummary.Read(p.BuildSummaryFile, p.EffectiveOutputDir), p.EffectiveOutputDir);
    if (System.IO.File.Exists(p.BuildSummaryFile.FullPath))
        System.IO.File.Delete(p.BuildSummaryFile.FullPath);
});

var target = Argument("target", "Default");
BuildArguments.Check(Context, Tasks);
BuildArguments.CheckTarget(Context, Tasks, target);
RunTarget(target);
