namespace Gateway.Drivers.Cameras;

/// <summary>Every configured camera's figures, reader and analysis together (the Host's camera pipeline registers it).</summary>
public interface ICameraFiguresSource
{
    IReadOnlyList<CameraFigures> GetFigures();
}
