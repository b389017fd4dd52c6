namespace Gateway.Sync.Store;

/// <summary>The store's seq file is locked: another gateway process has this store open.</summary>
internal sealed class StoreInUseException(string message, Exception innerException) : IOException(message, innerException);
