// Repro's Cake entry point. The parts live in build/*.cake; this file only wires them.
#load "build/parameters.cake"
#load "build/tasks.cake"

Setup<BuildParameters>(context => BuildParameters.Create(context));

RunTarget(Argument("target", "Default"));
