namespace AlignLab.Core.Demo;

/// <summary>Writes the platform's demo model (<see cref="DemoPolicy.BaseModel"/>): random weights and a tokenizer learned
/// from the demo data. Model code does the writing; the web only asks for the folder.</summary>
public interface IDemoModelWriter
{
    /// <summary>Writes the demo model into <paramref name="folder"/> unless a model is there; returns the folder.</summary>
    string Ensure(string folder);
}
