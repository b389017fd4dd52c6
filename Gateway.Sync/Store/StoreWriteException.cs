namespace Gateway.Sync.Store;

/// <summary>
/// An append was not stored (nothing of its batch is, no seq was consumed). Records stored
/// before are unaffected. <see cref="IsDiskFull"/> when the file system or store limit is full.
/// </summary>
public sealed class StoreWriteException : Exception
{
    public StoreWriteException()
    {
    }

    public StoreWriteException(string message) : base(message)
    {
    }

    public StoreWriteException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public StoreWriteException(string message, bool isDiskFull, Exception innerException) : base(message, innerException)
    {
        IsDiskFull = isDiskFull;
    }

    public bool IsDiskFull { get; }
}
