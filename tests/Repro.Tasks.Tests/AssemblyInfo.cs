// The stand-in CLI is a bash script; Repro's CI and users run Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
