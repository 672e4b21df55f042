// asl-validator ships no types: its one export as the tests use it.
declare module 'asl-validator' {
  interface AslValidationError {
    'Error code': string;
    Message: string;
  }

  export default function validator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errors: AslValidationError[]; errorsText(separator?: string): string };
}
