namespace AlignLab.Core.Datasets;

/// <summary>The parts of a stored record (<see cref="SpaRecord"/>): the prompt X (instruction and input), a reference
/// or preferred response, an initial or dispreferred response, and a minimal revision of the initial one, and the query's
/// type (OE or CE) for R³; for a multiple-choice evaluation set, the choices, the right one's index and a group.</summary>
public enum RecordPart { Instruction, Input, Output, Original, Revised, QueryType, Choices, Answer, Group }
