// esbuild imports *.wgsl files as their text (build.mjs: loader '.wgsl': 'text').
declare module '*.wgsl' {
  const source: string;
  export default source;
}
