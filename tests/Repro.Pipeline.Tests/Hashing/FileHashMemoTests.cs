using Repro.Pipeline.Hashing;

namespace Repro.Pipeline.Tests.Hashing;

public class FileHashMemoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("repro-memo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteOld(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));
        return path;
    }

    [Fact]
    public void SecondLookupOfAnUnchangedFileReadsNothing()
    {
        string file = WriteOld("data.bin", "hello");
        var memo = new FileHashMemo(Path.Combine(_dir, "memo.json"));
        var first = memo.Hash(file);
        var second = memo.Hash(file);
        Assert.Equal(ContentHash.OfText("hello"), first.Sha256);
        Assert.Equal(first, second);
        Assert.Equal(1, memo.FilesHashed);
    }

    [Fact]
    public void PersistsAcrossBuilds()
    {
        string file = WriteOld("data.bin", "hello");
        string memoPath = Path.Combine(_dir, "memo.json");
        var a = new FileHashMemo(memoPath);
        a.Hash(file);
        a.Save();
        var b = new FileHashMemo(memoPath);
        Assert.Equal(ContentHash.OfText("hello"), b.Hash(file).Sha256);
        Assert.Equal(0, b.FilesHashed);
    }

    [Fact]
    public void SameSizeEditWithNewMtimeIsRehashed()
    {
        string file = WriteOld("data.bin", "hello");
        var memo = new FileHashMemo(null);
        memo.Hash(file);
        File.WriteAllText(file, "jello");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-30));
        Assert.Equal(ContentHash.OfText("jello"), memo.Hash(file).Sha256);
        Assert.Equal(2, memo.FilesHashed);
    }

    [Fact]
    public void RacilyCleanFilesAreNotTrusted()
    {
        // Written "now": an edit within the same clock tick would keep size and mtime, so the memo must re-read.
        string file = Path.Combine(_dir, "fresh.bin");
        File.WriteAllText(file, "abc");
        var memo = new FileHashMemo(null);
        memo.Hash(file);
        memo.Hash(file);
        Assert.Equal(2, memo.FilesHashed);
    }

    [Fact]
    public void DamagedMemoIsIgnored()
    {
        string memoPath = Path.Combine(_dir, "memo.json");
        File.WriteAllText(memoPath, "{ not json");
        string file = WriteOld("data.bin", "hello");
        Assert.Equal(ContentHash.OfText("hello"), new FileHashMemo(memoPath).Hash(file).Sha256);
    }
}
