namespace Gateway.Simulation.Mqtt;

/// <summary>mosquitto is not installed, could not be started or did not listen; the message says which, in one line.</summary>
public sealed class MosquittoUnavailableException : Exception
{
    public MosquittoUnavailableException()
    {
    }

    public MosquittoUnavailableException(string message)
        : base(message)
    {
    }

    public MosquittoUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
