// Types for textile-js (the package ships none): the one call Guichet makes, Textile source in,
// HTML out. `breaks` keeps single line breaks as <br>, as Redmine does.
declare module 'textile-js' {
  interface TextileOptions {
    breaks?: boolean;
  }
  interface Textile {
    (source: string, options?: TextileOptions): string;
    convert(source: string, options?: TextileOptions): string;
  }
  const textile: Textile;
  export default textile;
}
