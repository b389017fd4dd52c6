namespace Gateway.Sync.Store;

/// <summary>The seqs assigned to a batch of readings: <see cref="First"/>..<see cref="Last"/>, contiguous.</summary>
public readonly record struct SeqRange(long First, long Last)
{
    public long Count => Last - First + 1;
}
