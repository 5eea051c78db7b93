using System.Security.Cryptography;
using Repro.Runtime.Checkpoints;
using Repro.Runtime.Interop;
using static TorchSharp.torch;

namespace Repro.Cli.Publishing;

/// <summary>What `repro checkpoint` published, each file with its SHA-256.</summary>
public sealed record PublishedCheckpoint(string Safetensors, string SafetensorsSha256, string Pt, string PtSha256, int Tensors);

/// <summary>
/// Publishes a recalibrated model as an experiment's result: the safetensors file byte for byte,
/// and a `.pt` state dict that `torch.load` + `load_state_dict` accept (Repro.Runtime.Interop's
/// deterministic writer, in PyTorch's key order). Nothing counts as published
/// until both have been read back: the copy must hash like its source, and every tensor of the
/// `.pt` (name, dtype, shape, bytes) must equal the safetensors tensor. Files are written beside
/// their final names and renamed only after that check.
/// </summary>
public static class CheckpointPublisher
{
    public const string SafetensorsName = "model.safetensors";
    public const string PtName = "model.pt";

    public static PublishedCheckpoint Publish(string input, string outDir)
    {
        string source = Path.GetFullPath(input);
        // Validates the file as a Repro checkpoint (config and tensors agree) before anything is written.
        using var loaded = ModelCheckpoint.Load(source);
        Directory.CreateDirectory(outDir);
        string safetensors = Path.Combine(outDir, SafetensorsName);
        string pt = Path.Combine(outDir, PtName);
        string tmpSafetensors = TempBeside(safetensors);
        string tmpPt = TempBeside(pt);
        try
        {
            string sourceSha = Sha256(source);
            File.Copy(source, tmpSafetensors, overwrite: true);
            string copySha = Sha256(tmpSafetensors);
            if (copySha != sourceSha)
                throw new IOException($"{safetensors}: the copy hashes to {copySha[..12]}, its source {source} to {sourceSha[..12]}");

            var ordered = ModelCheckpoint.TorchOrderedStateDict(loaded.Model);
            PyTorchCheckpointWriter.WriteStateDict(tmpPt, ordered);
            int tensors = VerifyPt(tmpPt, ordered.ToDictionary(e => e.Name, e => e.Tensor, StringComparer.Ordinal), pt);

            File.Move(tmpSafetensors, safetensors, overwrite: true);
            File.Move(tmpPt, pt, overwrite: true);
            return new PublishedCheckpoint(safetensors, copySha, pt, Sha256(pt), tensors);
        }
        finally
        {
            TryDelete(tmpSafetensors);
            TryDelete(tmpPt);
        }
    }

    /// <summary>Reads the .pt back and compares it with the model's state, tensor by tensor and byte for byte.</summary>
    private static int VerifyPt(string file, IReadOnlyDictionary<string, Tensor> expected, string displayName)
    {
        var reloaded = PyTorchCheckpointReader.ReadStateDict(file);
        try
        {
            if (!reloaded.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(expected.Keys))
                throw new IOException($"{displayName}: reloaded tensors differ from the model's: "
                    + string.Join(", ", reloaded.Keys.Except(expected.Keys).Concat(expected.Keys.Except(reloaded.Keys)).Take(3)));
            foreach (var (name, want) in expected)
            {
                var got = reloaded[name];
                if (got.dtype != want.dtype || !got.shape.SequenceEqual(want.shape) || !TensorBytes(got).AsSpan().SequenceEqual(TensorBytes(want)))
                    throw new IOException($"{displayName}: tensor '{name}' does not read back as written");
            }
            return expected.Count;
        }
        finally
        {
            foreach (var t in reloaded.Values) t.Dispose();
        }
    }

    private static byte[] TensorBytes(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.bytes.ToArray();
    }

    private static string Sha256(string file)
    {
        using var s = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    private static string TempBeside(string path) => Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
    }
}
